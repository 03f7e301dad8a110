import { useState, type FormEvent } from 'react';
import { ApiError, get, post } from '../api';
import { Empty, Field, FormError, Loading, fmtDate, fmtMoney, toCents, useLoad } from '../ui';

interface Order {
  id: string;
  item: string;
  quantity: number;
  amount_cents: number;
  currency: string;
  created_at: string;
}

export function Orders({ slug }: { slug: string }) {
  const list = useLoad(() => get<{ items: Order[] }>(`/v1/t/${slug}/orders?limit=100`), [slug]);
  const [item, setItem] = useState('');
  const [amount, setAmount] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      await post(`/v1/t/${slug}/orders`, { item, quantity: 1, amount_cents: toCents(amount), currency: 'EUR' });
      setItem('');
      setAmount('');
      list.reload();
    } catch (err) {
      setError(err as ApiError);
    }
  };
  return (
    <section aria-labelledby="orders-title">
      <h1 id="orders-title">Orders</h1>
      <form className="inline-form" onSubmit={submit} aria-label="Record an order" noValidate>
        <Field id="order-item" label="Item" value={item} onChange={(e) => setItem(e.target.value)} error={error?.field('item')} />
        <Field id="order-amount" label="Amount (EUR)" inputMode="decimal" value={amount} onChange={(e) => setAmount(e.target.value)} error={error?.field('amount_cents')} />
        <button type="submit" data-track="create-order">
          Record order
        </button>
        <FormError error={error && !error.field('item') && !error.field('amount_cents') ? error : null} />
      </form>
      {!list.data ? (
        <Loading what="orders" />
      ) : list.data.items.length === 0 ? (
        <Empty>No orders yet.</Empty>
      ) : (
        <table className="grid">
          <thead>
            <tr>
              <th scope="col">Item</th>
              <th scope="col">Quantity</th>
              <th scope="col">Amount</th>
              <th scope="col">Date</th>
            </tr>
          </thead>
          <tbody>
            {list.data.items.map((o) => (
              <tr key={o.id}>
                <th scope="row">{o.item}</th>
                <td>{o.quantity}</td>
                <td>{fmtMoney(o.amount_cents, o.currency)}</td>
                <td>{fmtDate(o.created_at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
