// Deals as a kanban pipeline. Dragging a card to a column calls the stage-change
// endpoint; the "Move to" menu on each card does the same from the keyboard.
import { useState, type DragEvent, type FormEvent } from 'react';
import { ApiError, get, post } from '../api';
import { Empty, Field, FormError, Loading, fmtMoney, toCents, useLoad } from '../ui';
import type { Customer } from './Customers';

export const STAGES = ['lead', 'qualified', 'proposal', 'won', 'lost'] as const;
export type Stage = (typeof STAGES)[number];

export interface Deal {
  id: string;
  customer_id: string;
  title: string;
  amount_cents: number;
  currency: string;
  stage: Stage;
  version: number;
}

export function Deals({ slug }: { slug: string }) {
  const deals = useLoad(() => get<{ items: Deal[] }>(`/v1/t/${slug}/deals?limit=200`), [slug]);
  const customers = useLoad(() => get<{ items: Customer[] }>(`/v1/t/${slug}/customers?limit=200`), [slug]);
  const [error, setError] = useState<ApiError | null>(null);
  const [over, setOver] = useState<Stage | null>(null);
  const [announce, setAnnounce] = useState('');

  const move = async (deal: Deal, stage: Stage) => {
    if (deal.stage === stage) return;
    setError(null);
    const previous = deals.data;
    // Optimistic: the card moves at once and moves back if the server says no.
    deals.setData({ items: (previous?.items ?? []).map((d) => (d.id === deal.id ? { ...d, stage } : d)) });
    try {
      await post(`/v1/t/${slug}/deals/${deal.id}/stage`, { stage });
      setAnnounce(`${deal.title} moved to ${stage}.`);
      deals.reload();
    } catch (err) {
      deals.setData(previous);
      setError(err as ApiError);
    }
  };
  const drop = (stage: Stage) => (e: DragEvent) => {
    e.preventDefault();
    setOver(null);
    const deal = deals.data?.items.find((d) => d.id === e.dataTransfer.getData('text/plain'));
    if (deal) void move(deal, stage);
  };
  const names = new Map((customers.data?.items ?? []).map((c) => [c.id, c.name]));
  return (
    <section aria-labelledby="deals-title">
      <h1 id="deals-title">Deals</h1>
      <NewDeal slug={slug} customers={customers.data?.items ?? []} onCreated={deals.reload} />
      <FormError error={error} />
      <div className="sr-only" role="status" aria-live="polite">
        {announce}
      </div>
      {!deals.data ? (
        <Loading what="deals" />
      ) : (
        <div className="kanban">
          {STAGES.map((stage) => {
            const items = deals.data!.items.filter((d) => d.stage === stage);
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
                  <article
                    key={d.id}
                    className="card"
                    draggable
                    data-deal={d.title}
                    onDragStart={(e) => {
                      e.dataTransfer.setData('text/plain', d.id);
                      e.dataTransfer.effectAllowed = 'move';
                    }}
                  >
                    <strong>{d.title}</strong>
                    <div className="muted">{names.get(d.customer_id) ?? ''}</div>
                    <div>{fmtMoney(d.amount_cents, d.currency)}</div>
                    <label className="move">
                      <span className="sr-only">Move {d.title} to</span>
                      <select value={d.stage} onChange={(e) => void move(d, e.target.value as Stage)} data-track="deal-move-menu">
                        {STAGES.map((s) => (
                          <option key={s} value={s}>
                            {s}
                          </option>
                        ))}
                      </select>
                    </label>
                  </article>
                ))}
              </section>
            );
          })}
        </div>
      )}
    </section>
  );
}

function NewDeal({ slug, customers, onCreated }: { slug: string; customers: Customer[]; onCreated: () => void }) {
  const [title, setTitle] = useState('');
  const [amount, setAmount] = useState('');
  const [customer, setCustomer] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      await post(`/v1/t/${slug}/deals`, { title, amount_cents: toCents(amount), currency: 'EUR', customer_id: customer || customers[0]?.id });
      setTitle('');
      setAmount('');
      onCreated();
    } catch (err) {
      setError(err as ApiError);
    }
  };
  if (customers.length === 0) return <Empty>Add a customer first: every deal belongs to one.</Empty>;
  return (
    <form className="inline-form" onSubmit={submit} aria-label="Add a deal" noValidate>
      <Field id="deal-title" label="Title" value={title} onChange={(e) => setTitle(e.target.value)} error={error?.field('title')} />
      <Field id="deal-amount" label="Amount (EUR)" inputMode="decimal" value={amount} onChange={(e) => setAmount(e.target.value)} error={error?.field('amount_cents')} />
      <div className="field">
        <label htmlFor="deal-customer">Customer</label>
        <select id="deal-customer" value={customer} onChange={(e) => setCustomer(e.target.value)}>
          {customers.map((c) => (
            <option key={c.id} value={c.id}>
              {c.name}
            </option>
          ))}
        </select>
      </div>
      <button type="submit" data-track="create-deal">
        Add deal
      </button>
      <FormError error={error && !error.field('title') && !error.field('amount_cents') ? error : null} />
    </form>
  );
}
