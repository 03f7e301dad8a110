// Choosing a customer by typing part of the name: an ARIA combobox (arrow keys move,
// Enter picks, Escape closes) over `GET /customers?q=`, asked once per pause in typing.
import { useId, useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useApi } from '../query';
import type { Customer } from '../types';
import type { PageOf } from './paging';
import { useDebounced } from './useDebounced';

export function CustomerPicker({ slug, id, label, value, onChange, error }: { slug: string; id: string; label: string; value: Customer | null; onChange: (c: Customer | null) => void; error?: string }) {
  const { t } = useTranslation();
  const [text, setText] = useState(value?.name ?? '');
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const q = useDebounced(text.trim(), 300);
  const list = useApi<PageOf<Customer>>(open ? `/v1/t/${slug}/customers?limit=10&sort=name${q ? `&q=${encodeURIComponent(q)}` : ''}` : null);
  const items = list.data?.items ?? [];
  const listId = `${useId()}-options`;
  const pick = (c: Customer) => {
    onChange(c);
    setText(c.name);
    setOpen(false);
  };
  const key = (e: KeyboardEvent) => {
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      setOpen(true);
      setActive((a) => Math.max(0, Math.min(a + 1, items.length - 1)));
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      setActive((a) => Math.max(a - 1, 0));
    } else if (e.key === 'Enter' && open && items[active]) {
      e.preventDefault();
      pick(items[active]);
    } else if (e.key === 'Escape') {
      setOpen(false);
    }
  };
  return (
    <div className="field picker">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        role="combobox"
        aria-expanded={open}
        aria-controls={listId}
        aria-autocomplete="list"
        aria-activedescendant={open && items[active] ? `${listId}-${active}` : undefined}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        autoComplete="off"
        placeholder={t('picker.placeholder')}
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          setOpen(true);
          setActive(0);
          if (value) onChange(null);
        }}
        onFocus={() => setOpen(true)}
        onBlur={() => setOpen(false)}
        onKeyDown={key}
      />
      {open && (
        <ul id={listId} role="listbox" className="options" aria-label={label}>
          {items.map((c, i) => (
            <li
              key={c.id}
              id={`${listId}-${i}`}
              role="option"
              aria-selected={i === active}
              // Picked before the input's blur closes the list.
              onMouseDown={(e) => {
                e.preventDefault();
                pick(c);
              }}
            >
              {c.name}
              {c.domain && <span className="muted"> · {c.domain}</span>}
            </li>
          ))}
          {list.data && items.length === 0 && <li className="muted">{t('picker.none')}</li>}
        </ul>
      )}
      {error && (
        <span id={`${id}-error`} className="field-error">
          {error}
        </span>
      )}
    </div>
  );
}
