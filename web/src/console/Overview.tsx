// Placeholder while this screen is built (issue 12); it only names itself.
import { useTranslation } from 'react-i18next';
import { Empty } from '../ui/states';

export function Overview() {
  const { t } = useTranslation();
  
  return <Empty>{t('titles.overview')}</Empty>;
}
