// Deals as a kanban pipeline. Dragging a card to a column calls the stage-change
// endpoint; the "Move to" menu on each card does the same from the keyboard.
import { useState, type DragEvent } from 'react';
import { post } from '../api';
import { useAction, useGet } from '../data';
import { fmtMoney, toCents } from '../format';
import { STAGES, type Customer, type Deal, type Page, type Stage } from '../types';
import { Field, FormError, SelectField } from '../ui/forms';
import { Empty, Loaded } from '../ui/states';

export function Deals({ slug }: { slug: string }) {
  const deals = useGet<Page<Deal>>(`/v1/t/${slug}/deals?limit=200`);
  const customers = useGet<Page<Customer>>(`/v1/t/${slug}/customers?limit=200`);
  const moving = useAction();
  const [over, setOver] = useState<Stage | null>(null);
  const [announce, setAnnounce] = useState('');

  const move = (deal: Deal, stage: Stage) => {
    if (deal.stage === stage) return;
    const previous = deals.data;
    // Optimistic: the card moves at once and moves back if the server says no.
    deals.setData({ items: (previous?.items ?? []).map((d) => (d.id === deal.id ? { ...d, stage } : d)) });
    void moving.run(async () => {
      try {
        await post(`/v1/t/${slug}/deals/${deal.id}/stage`, { stage });
      } catch (err) {
        deals.setData(previous);
        throw err;
      }
      setAnnounce(`${deal.title} moved to ${stage}.`);
      deals.reload();
    });
  };
  const drop = (stage: Stage) => (e: DragEvent) => {
    e.preventDefault();
    setOver(null);
    const deal = deals.data?.items.find((d) => d.id === e.dataTransfer.getData('text/plain'));
    if (deal) move(deal, stage);
  };
  const names = new Map((customers.data?.items ?? []).map((c) => [c.id, c.name]));
  return (
    <section aria-labelledby="deals-title">
      <h1 id="deals-title">Deals</h1>
      <NewDeal slug={slug} customers={customers.data?.items ?? []} onCreated={deals.reload} />
      <FormError error={moving.error} />
      <div className="sr-only" role="status" aria-live="polite">
        {announce}
      </div>
      <Loaded state={deals} what="deals">
        {(data) => (
          <div className="kanban">
            {STAGES.map((stage) => {
              const items = data.items.filter((d) => d.stage === stage);
              const total = items.reduce((n, d) => n + d.amount_cents, 0);
              return (
                <section
                  key={stage}
                  className={`column ${over === stage ? 'over' : ''}`}
                  aria-label={`${stage}: ${items.length} deals`}
                  data-stage={stage}
                  onDragOver={(e) => {
                    e.preventDefault();
                    setOver(stage);
                  }}
                  onDragLeave={() => setOver(null)}
                  onDrop={drop(stage)}
                >
                  <h2>
                    {stage} <span className="count">{items.length}</span>
                  </h2>
                  {items.length > 0 && <p className="muted">{fmtMoney(total, items[0].currency)}</p>}
                  {items.length === 0 && <Empty>Drop deals here</Empty>}
                  {items.map((d) => (
                    <DealCard key={d.id} deal={d} customer={names.get(d.customer_id) ?? ''} onMove={(s) => move(d, s)} />
                  ))}
                </section>
              );
            })}
          </div>
        )}
      </Loaded>
    </section>
  );
}

function DealCard({ deal: d, customer, onMove }: { deal: Deal; customer: string; onMove: (stage: Stage) => void }) {
  return (
    <article
      className="card"
      draggable
      data-deal={d.title}
      onDragStart={(e) => {
        e.dataTransfer.setData('text/plain', d.id);
        e.dataTransfer.effectAllowed = 'move';
      }}
    >
      <strong>{d.title}</strong>
      <div className="muted">{customer}</div>
      <div>{fmtMoney(d.amount_cents, d.currency)}</div>
      <label className="move">
        <span className="sr-only">Move {d.title} to</span>
        <select value={d.stage} onChange={(e) => onMove(e.target.value as Stage)} data-track="deal-move-menu">
          {STAGES.map((s) => (
            <option key={s}>{s}</option>
          ))}
        </select>
      </label>
    </article>
  );
}

function NewDeal({ slug, customers, onCreated }: { slug: string; customers: Customer[]; onCreated: () => void }) {
  const [title, setTitle] = useState('');
  const [amount, setAmount] = useState('');
  const [customer, setCustomer] = useState('');
  const action = useAction();
  const create = async () => {
    await post(`/v1/t/${slug}/deals`, { title, amount_cents: toCents(amount), currency: 'EUR', customer_id: customer || customers[0]?.id });
    setTitle('');
    setAmount('');
    onCreated();
  };
  if (customers.length === 0) return <Empty>Add a customer first: every deal belongs to one.</Empty>;
  const error = action.error;
  return (
    <form className="inline-form" onSubmit={action.submit(create)} aria-label="Add a deal" noValidate>
      <Field id="deal-title" label="Title" value={title} onChange={(e) => setTitle(e.target.value)} error={error?.field('title')} />
      <Field id="deal-amount" label="Amount (EUR)" inputMode="decimal" value={amount} onChange={(e) => setAmount(e.target.value)} error={error?.field('amount_cents')} />
      <SelectField id="deal-customer" label="Customer" value={customer} onChange={(e) => setCustomer(e.target.value)} options={customers.map((c) => [c.id, c.name] as const)} />
      <button type="submit" data-track="create-deal">
        Add deal
      </button>
      <FormError error={error} shownOn={['title', 'amount_cents']} />
    </form>
  );
}
