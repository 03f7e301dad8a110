// A customer's activity, newest first: deals and orders created, deals moving between
// stages, notes on the customer and its deals. Older entries come a page at a time.
import { useInfiniteQuery } from '@tanstack/react-query';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import type { ApiError } from '../api/client';
import { get } from '../api/client';
import { fmtDateTime, fmtNumber } from '../format';
import { fmtMoney } from '../money/currency';
import { toApiError } from '../query';
import type { PageOf } from '../ui/paging';
import { Empty, LoadError, Loading } from '../ui/states';
import type { TimelineEntry } from './crm';

const PAGE = 20;

export function Timeline({ slug, customerId, onOpenDeal }: { slug: string; customerId: string; onOpenDeal: (id: string) => void }) {
  const { t } = useTranslation();
  const path = `/v1/t/${slug}/customers/${customerId}/timeline`;
  // Keyed by the path first, so invalidating the customer's path reloads it too.
  const query = useInfiniteQuery<PageOf<TimelineEntry>, ApiError>({
    queryKey: [path, 'pages'],
    initialPageParam: null as string | null,
    queryFn: async ({ pageParam, signal }) => {
      try {
        return await get<PageOf<TimelineEntry>>(`${path}?limit=${PAGE}${pageParam ? `&cursor=${encodeURIComponent(String(pageParam))}` : ''}`, signal);
      } catch (e) {
        throw toApiError(e);
      }
    },
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  const entries = query.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <section aria-labelledby="timeline-title">
      <h2 id="timeline-title">{t('timeline.title')}</h2>
      {query.error && <LoadError error={query.error} retry={() => void query.refetch()} />}
      {!query.data ? (
        !query.error && <Loading what={t('timeline.what')} />
      ) : entries.length === 0 ? (
        <Empty>{t('timeline.empty')}</Empty>
      ) : (
        <ol className="activity" aria-label={t('timeline.title')} aria-busy={query.isFetching}>
          {entries.map((e) => (
            <li key={`${e.kind}-${e.ref_id}-${e.at}`} data-kind={e.kind}>
              <time dateTime={e.at}>{fmtDateTime(e.at)}</time>
              <span className="what">
                <Entry entry={e} onOpenDeal={onOpenDeal} />
              </span>
            </li>
          ))}
        </ol>
      )}
      {query.hasNextPage && (
        <p>
          <button type="button" className="secondary" disabled={query.isFetchingNextPage} onClick={() => void query.fetchNextPage()}>
            {query.isFetchingNextPage ? t('states.loading') : t('timeline.older')}
          </button>
        </p>
      )}
    </section>
  );
}

function Entry({ entry: e, onOpenDeal }: { entry: TimelineEntry; onOpenDeal: (id: string) => void }) {
  const { t } = useTranslation();
  const money = e.amount_cents != null && e.currency ? fmtMoney(e.amount_cents, e.currency) : '';
  const deal = (title: string) =>
    e.deal_id ? (
      <button type="button" className="link" onClick={() => e.deal_id && onOpenDeal(e.deal_id)}>
        {title}
      </button>
    ) : (
      title
    );
  switch (e.kind) {
    case 'deal_created':
      return (
        <>
          {t('timeline.dealCreated')} {deal(e.summary)} · {money}
        </>
      );
    case 'order_created':
      return <>{t('timeline.orderCreated', { item: e.summary, quantity: fmtNumber(e.quantity ?? 1), amount: money })}</>;
    case 'stage_changed':
      return (
        <>
          {deal(e.summary)} {t('timeline.stageChanged', { from: stage(t, e.from_stage), to: stage(t, e.to_stage) })}
        </>
      );
    case 'note_added':
      return (
        <>
          {t('timeline.noteAdded', { author: e.author_name ?? '' })} <span className="note-body">{e.summary}</span>
        </>
      );
    default:
      return <>{e.summary}</>;
  }
}

const stage = (t: TFunction, s?: string | null) => (s ? t(`stages.${s}`, { defaultValue: s }) : '—');
