// Tabs as the ARIA pattern has them: a tablist whose selected tab is the one in tab
// order, arrow keys (and Home, End) moving between tabs, and one panel labelled by its tab.
import { useRef, type KeyboardEvent, type ReactNode } from 'react';

export function Tabs<Id extends string>({ label, tabs, selected, onSelect, children }: { label: string; tabs: readonly (readonly [Id, string])[]; selected: Id; onSelect: (id: Id) => void; children: ReactNode }) {
  const list = useRef<HTMLDivElement>(null);
  const key = (e: KeyboardEvent) => {
    const at = tabs.findIndex(([id]) => id === selected);
    const to = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: tabs.length - 1 }[e.key];
    if (to === undefined) return;
    e.preventDefault();
    const next = tabs[(to + tabs.length) % tabs.length][0];
    onSelect(next);
    list.current?.querySelector<HTMLButtonElement>(`#tab-${next}`)?.focus();
  };
  return (
    <>
      <div className="tabs" role="tablist" aria-label={label} ref={list} onKeyDown={key}>
        {tabs.map(([id, text]) => (
          <button key={id} type="button" role="tab" id={`tab-${id}`} aria-selected={id === selected} aria-controls={`tabpanel-${id}`} tabIndex={id === selected ? 0 : -1} onClick={() => onSelect(id)}>
            {text}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`tabpanel-${selected}`} aria-labelledby={`tab-${selected}`}>
        {children}
      </div>
    </>
  );
}
