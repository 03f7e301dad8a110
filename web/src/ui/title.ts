import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { ROUTES, type Match } from '../routes';

/// The tab's title follows the route: "Deals · acme · Atrium".
export function usePageTitle(route: Match | null, place: string) {
  const { t } = useTranslation();
  const screen = route ? t(ROUTES[route.name].title) : t('titles.notFound');
  useEffect(() => {
    document.title = `${screen} · ${place}`;
  }, [screen, place]);
}
