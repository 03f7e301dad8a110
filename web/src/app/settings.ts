import { useEffect, useState } from 'react';
import { setTimeZone } from '../format';
import { useApi } from '../query';
import { toMinor } from '../ui/MoneyInput';

/// The tenant's own settings (`GET /v1/t/{tenant}/settings`).
export interface TenantSettings {
  currency?: string;
  timezone?: string;
}

/// The tenant's settings; dates are shown in its time zone from the moment they arrive.
export function useTenantSettings(slug: string): TenantSettings | undefined {
  const settings = useApi<TenantSettings>(`/v1/t/${slug}/settings`).data;
  const tz = settings?.timezone;
  useEffect(() => {
    setTimeZone(tz);
    return () => setTimeZone(undefined);
  }, [tz]);
  return settings;
}

/// The currency new deals and orders start in: the tenant's, or EUR where the tenant has
/// none (or the API has no settings yet).
export function useTenantCurrency(slug: string): string {
  return useApi<TenantSettings>(`/v1/t/${slug}/settings`).data?.currency ?? 'EUR';
}

/// The zone the tenant counts its days in: undefined while its settings load (so nothing
/// is first counted in a zone about to be replaced), `fallback` if they have none or
/// cannot be read.
export function useTenantTimeZone(slug: string, fallback: string): string | undefined {
  const settings = useApi<TenantSettings>(`/v1/t/${slug}/settings`);
  // Another tenant's settings, kept on screen while this one's load, are not this one's.
  if (settings.isPending || settings.isPlaceholderData) return undefined;
  return settings.data?.timezone ?? fallback;
}

/// An amount being typed into a form, in the tenant's currency unless the user picks
/// another; `minor()` reads it (or throws the field error) when the form is sent.
export function useMoneyDraft(slug: string) {
  const tenantCurrency = useTenantCurrency(slug);
  const [text, setText] = useState('');
  const [picked, setPicked] = useState<string | null>(null);
  const currency = picked ?? tenantCurrency;
  return {
    text,
    currency,
    clear: () => setText(''),
    minor: () => toMinor(text, currency),
    input: { value: text, onChange: setText, currency, onCurrency: setPicked },
  };
}
