// One dashboard panel: a titled region with the loading, error ("analytics unreachable"
// explained) and empty states of its query.
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { ApiError } from '../../api/client';
import type { Query } from '../../query';
import { Loaded } from '../../ui/states';

/// `bare`: only the states and content, inside a panel that has its own title.
export function Panel<T>({ title, query, empty, children, wide, bare }: { title: string; query: Query<T>; empty: (d: T) => boolean; children: (d: T) => ReactNode; wide?: boolean; bare?: boolean }) {
  const { t } = useTranslation();
  const unreachable = (e: ApiError) => (e.code === 'analytics_unavailable' ? t('dashboard.unreachable') : null);
  const loaded = (
    <Loaded query={query} what={title} isEmpty={empty} empty={t('dashboard.noData')} explain={unreachable}>
      {children}
    </Loaded>
  );
  if (bare) return loaded;
  return (
    <section className={wide ? 'panel chart wide' : 'panel chart'} aria-label={title}>
      <h2>{title}</h2>
      {loaded}
    </section>
  );
}
