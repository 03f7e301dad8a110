// Placeholder while this screen is built (issue 12); it only names itself.
import { useTranslation } from 'react-i18next';
import { Empty } from '../ui/states';

export function Settings({ slug }: { slug: string }) {
  const { t } = useTranslation();
  void slug;
  return <Empty>{t('titles.settings')}</Empty>;
}
