// The customer picker of an edit form (a deal's, an order's), starting at the row's
// customer. The picker copies its customer's name once, when it mounts, so it mounts only
// once that customer has loaded: not on the previous customer's answer kept on screen
// while the next one loads, and not never (a failed load says so, with Retry).
import { useApi } from '../query';
import type { Customer } from '../types';
import { CustomerPicker } from '../ui/CustomerPicker';
import { Loading, LoadError } from '../ui/states';

/// `customerId` is the row's customer as last read (null: none); `picked` what the user
/// chose since (undefined: nothing yet).
export function RowCustomer({ slug, customerId, version, picked, ...picker }: { slug: string; customerId: string | null | undefined; version: number; picked: Customer | null | undefined; id: string; label: string; onChange: (c: Customer | null) => void; error?: string }) {
  const current = useApi<Customer>(customerId ? `/v1/t/${slug}/customers/${customerId}` : null);
  const loaded = customerId ? (current.isPlaceholderData ? undefined : current.data) : null;
  if (loaded === undefined) return current.error ? <LoadError error={current.error} retry={() => void current.refetch()} /> : <Loading />;
  return <CustomerPicker key={`${customerId}-${version}`} slug={slug} value={picked === undefined ? loaded : picked} {...picker} />;
}
