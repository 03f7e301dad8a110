import { useState } from 'react';
import { post } from '../api';
import { useAction, useGet } from '../data';
import { fmtDate, fmtMoney, toCents } from '../format';
import type { Order, Page } from '../types';
import { Field, FormError } from '../ui/forms';
import { LoadedItems } from '../ui/states';
import { Row, Table } from '../ui/Table';

export function Orders({ slug }: { slug: string }) {
  const list = useGet<Page<Order>>(`/v1/t/${slug}/orders?limit=100`);
  const [item, setItem] = useState('');
  const [amount, setAmount] = useState('');
  const action = useAction();
  const record = async () => {
    await post(`/v1/t/${slug}/orders`, { item, quantity: 1, amount_cents: toCents(amount), currency: 'EUR' });
    setItem('');
    setAmount('');
    list.reload();
  };
  const error = action.error;
  return (
    <section aria-labelledby="orders-title">
      <h1 id="orders-title">Orders</h1>
      <form className="inline-form" onSubmit={action.submit(record)} aria-label="Record an order" noValidate>
        <Field id="order-item" label="Item" value={item} onChange={(e) => setItem(e.target.value)} error={error?.field('item')} />
        <Field id="order-amount" label="Amount (EUR)" inputMode="decimal" value={amount} onChange={(e) => setAmount(e.target.value)} error={error?.field('amount_cents')} />
        <button type="submit" data-track="create-order">
          Record order
        </button>
        <FormError error={error} shownOn={['item', 'amount_cents']} />
      </form>
      <LoadedItems state={list} what="orders" empty="No orders yet.">
        {(items) => (
          <Table head={['Item', 'Quantity', 'Amount', 'Date']}>
            {items.map((o) => (
              <Row key={o.id} cells={[o.item, o.quantity, fmtMoney(o.amount_cents, o.currency), fmtDate(o.created_at)]} />
            ))}
          </Table>
        )}
      </LoadedItems>
    </section>
  );
}
