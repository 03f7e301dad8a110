// Deals as a kanban pipeline. Dragging a card to a column calls the stage-change
// endpoint; the "Move to" menu on each card does the same from the keyboard. The card
// moves at once (optimistic) and moves back if the server refuses. A card's title opens
// the deal (change, delete, notes); a new deal's card is highlighted.
import { useMutation } from '@tanstack/react-query';
import { useState, type DragEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { post, type ApiError } from '../api/client';
import { fmtMoney } from '../money/currency';
import { queryClient, useAllPages, type AllPages } from '../query';
import { STAGES, type Deal, type Stage, type User } from '../types';
import { FormError } from '../ui/forms';
import { Empty, Loaded } from '../ui/states';
import { useCustomerNames } from './crm';
import { DealDialog } from './DealDialog';
import { Said } from './EditParts';
import { NewDeal } from './NewDeal';

export function Deals({ slug, me }: { slug: string; me: User }) {
  const { t } = useTranslation();
  const path = `/v1/t/${slug}/deals`;
  const deals = useAllPages<Deal>(path);
  const names = useCustomerNames(slug);
  const key = [path, 'all', 1000];
  const [over, setOver] = useState<Stage | null>(null);
  const [announce, setAnnounce] = useState('');
  const [open, setOpen] = useState<string | null>(null);
  const [created, setCreated] = useState<Deal | null>(null);
  const [said, setSaid] = useState('');
  const moving = useMutation<unknown, ApiError, { deal: Deal; stage: Stage }, { previous?: AllPages<Deal> }>({
    mutationFn: ({ deal, stage }) => post(`${path}/${deal.id}/stage`, { stage }),
    onMutate: async ({ deal, stage }) => {
      await queryClient.cancelQueries({ queryKey: key });
      const previous = queryClient.getQueryData<AllPages<Deal>>(key);
      if (previous) queryClient.setQueryData<AllPages<Deal>>(key, { ...previous, items: previous.items.map((d) => (d.id === deal.id ? { ...d, stage } : d)) });
      return { previous };
    },
    onError: (_e, _v, context) => {
      if (context?.previous) queryClient.setQueryData(key, context.previous);
    },
    onSuccess: (_r, { deal, stage }) => setAnnounce(t('deals.moved', { title: deal.title, stage: t(`stages.${stage}`) })),
    onSettled: () => queryClient.invalidateQueries({ queryKey: key }),
  });
  const move = (deal: Deal, stage: Stage) => {
    if (deal.stage !== stage) moving.mutate({ deal, stage });
  };
  const drop = (stage: Stage) => (e: DragEvent) => {
    e.preventDefault();
    setOver(null);
    const deal = deals.data?.items.find((d) => d.id === e.dataTransfer.getData('text/plain'));
    if (deal) move(deal, stage);
  };
  return (
    <section aria-labelledby="deals-title">
      <h1 id="deals-title">{t('titles.deals')}</h1>
      <NewDeal
        slug={slug}
        onCreated={(d) => {
          setCreated(d);
          setSaid(t('deals.created', { title: d.title }));
        }}
      />
      <Said text={said} />
      <FormError error={moving.error} />
      <div className="sr-only" role="status" aria-live="polite">
        {announce}
      </div>
      <Loaded query={deals}>
        {(data) => (
          <>
            {data.more && <p className="status">{t('deals.more', { n: data.items.length })}</p>}
            <div className="kanban">
              {STAGES.map((stage) => {
                const items = data.items.filter((d) => d.stage === stage);
                const currencies = [...new Set(items.map((d) => d.currency))];
                return (
                  <section
                    key={stage}
                    className={`column ${over === stage ? 'over' : ''}`}
                    aria-label={t('deals.column', { stage: t(`stages.${stage}`), n: items.length })}
                    data-stage={stage}
                    onDragOver={(e) => {
                      e.preventDefault();
                      setOver(stage);
                    }}
                    onDragLeave={() => setOver(null)}
                    onDrop={drop(stage)}
                  >
                    <h2>
                      {t(`stages.${stage}`)} <span className="count">{items.length}</span>
                    </h2>
                    {currencies.map((c) => (
                      <p key={c} className="muted">
                        {fmtMoney(
                          items.filter((d) => d.currency === c).reduce((n, d) => n + d.amount_cents, 0),
                          c,
                        )}
                      </p>
                    ))}
                    {items.length === 0 && <Empty>{t('deals.dropHere')}</Empty>}
                    {items.map((d) => (
                      <DealCard key={d.id} deal={d} customer={names.get(d.customer_id) ?? ''} onMove={(s) => move(d, s)} onOpen={() => setOpen(d.id)} created={created?.id === d.id} />
                    ))}
                  </section>
                );
              })}
            </div>
          </>
        )}
      </Loaded>
      {open && (
        <DealDialog
          slug={slug}
          me={me}
          id={open}
          onClose={() => setOpen(null)}
          onDeleted={(d) => {
            setOpen(null);
            setSaid(t('deals.deleted', { title: d.title }));
          }}
        />
      )}
    </section>
  );
}

function DealCard({ deal: d, customer, onMove, onOpen, created }: { deal: Deal; customer: string; onMove: (stage: Stage) => void; onOpen: () => void; created: boolean }) {
  const { t } = useTranslation();
  return (
    <article
      className={created ? 'card created' : 'card'}
      draggable
      data-deal={d.title}
      onDragStart={(e) => {
        e.dataTransfer.setData('text/plain', d.id);
        e.dataTransfer.effectAllowed = 'move';
      }}
    >
      <button type="button" className="open" onClick={onOpen} title={t('deals.open', { title: d.title })} data-track="open-deal">
        {d.title}
      </button>
      <div className="muted">{customer}</div>
      <div>{fmtMoney(d.amount_cents, d.currency)}</div>
      <label className="move">
        <span className="sr-only">{t('deals.moveTo', { title: d.title })}</span>
        <select value={d.stage} onChange={(e) => onMove(e.target.value as Stage)} data-track="deal-move-menu">
          {STAGES.map((s) => (
            <option key={s} value={s}>
              {t(`stages.${s}`)}
            </option>
          ))}
        </select>
      </label>
    </article>
  );
}
