// Notes on a customer or a deal: write one (the signed-in user is its author), read them
// newest first, delete your own.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { post } from '../api/client';
import { useAction } from '../data';
import { fmtDateTime } from '../format';
import { invalidate } from '../query';
import { requireFields } from '../ui/errors';
import { FormError, useFieldError } from '../ui/forms';
import { List } from '../ui/List';
import { Row } from '../ui/Table';
import { ConfirmDelete } from './EditParts';
import { deleteRow, orReload, useMe, type Note } from './crm';

/// `parent` is the customer's or the deal's path; `also` is another cached path the notes
/// show up in (the customer's timeline, for a deal's notes).
export function Notes({ slug, parent, also, idPrefix }: { slug: string; parent: string; also?: string; idPrefix: string }) {
  const { t } = useTranslation();
  const me = useMe(slug);
  const [created, setCreated] = useState<Note | null>(null);
  const changed = async () => {
    await invalidate(parent);
    if (also) await invalidate(also);
  };
  return (
    <section aria-labelledby={`${idPrefix}-notes`}>
      <h2 id={`${idPrefix}-notes`}>{t('notes.title')}</h2>
      <NewNote id={`${idPrefix}-note`} path={`${parent}/notes`} onCreated={async (n) => {
        setCreated(n);
        await changed();
      }} />
      <List<Note>
        path={`${parent}/notes`}
        head={[t('notes.col.note'), t('notes.col.author'), t('notes.col.when'), t('notes.col.actions')]}
        what={t('notes.what')}
        empty={t('notes.empty')}
        rowKey={(n) => n.id}
        created={created}
        createdText={() => t('notes.created')}
        pageSize={10}
      >
        {(items, isCreated) =>
          items.map((n) => (
            <Row
              key={n.id}
              className={isCreated(n) ? 'created' : undefined}
              cells={[
                <span className="note-body">{n.body}</span>,
                n.author_name,
                fmtDateTime(n.created_at),
                n.author_kind === 'user' && n.author_id === me?.id ? (
                  <ConfirmDelete
                    label={t('notes.delete', { note: n.body.slice(0, 40) })}
                    question={t('notes.confirmDelete')}
                    onConfirm={() =>
                      orReload(async () => {
                        await deleteRow(`/v1/t/${slug}/notes/${n.id}`, n.version);
                        if (created?.id === n.id) setCreated(null);
                        await changed();
                      }, changed)
                    }
                  />
                ) : (
                  ''
                ),
              ]}
            />
          ))
        }
      </List>
    </section>
  );
}

function NewNote({ id, path, onCreated }: { id: string; path: string; onCreated: (n: Note) => Promise<void> }) {
  const { t } = useTranslation();
  const [body, setBody] = useState('');
  const action = useAction();
  const fieldError = useFieldError(action.error);
  const error = fieldError('body');
  const add = async () => {
    requireFields({ body });
    const n = await post<Note>(path, { body });
    setBody('');
    await onCreated(n);
  };
  return (
    <form className="note-form" onSubmit={action.submit(add)} aria-label={t('notes.add')} noValidate>
      <label htmlFor={id}>{t('notes.body')}</label>
      <textarea id={id} value={body} maxLength={5000} onChange={(e) => setBody(e.target.value)} aria-invalid={error ? true : undefined} aria-describedby={error ? `${id}-error` : undefined} />
      {error && (
        <span id={`${id}-error`} className="field-error">
          {error}
        </span>
      )}
      <span>
        <button type="submit" disabled={action.busy} data-track="add-note">
          {t('notes.addButton')}
        </button>
      </span>
      <FormError error={action.error} shownOn={['body']} />
    </form>
  );
}
