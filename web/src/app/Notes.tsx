// Notes on a customer or a deal: write one (the signed-in user is its author), read them
// newest first; its author, and an admin, may change or delete it (the API allows no one
// else, so no one else is offered it).
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { post } from '../api/client';
import { useAction } from '../data';
import { fmtDateTime } from '../format';
import { invalidate } from '../query';
import type { User } from '../types';
import { requireFields } from '../ui/errors';
import { FormError, useFieldError } from '../ui/forms';
import { List } from '../ui/List';
import { Row } from '../ui/Table';
import { deleteRow, orReload, useListEdits, useRowEdit, type Note } from './crm';
import { Dialog } from './Dialog';
import { ConfirmDelete, Said, SaveBar } from './EditParts';

/// `parent` is the customer's or the deal's path; `also` is another cached path the notes
/// show up in (the customer's timeline, for a deal's notes).
export function Notes({ slug, me, parent, also, idPrefix }: { slug: string; me: User; parent: string; also?: string; idPrefix: string }) {
  const { t } = useTranslation();
  const rows = useListEdits<Note>();
  const touched = also ? [parent, also] : [parent];
  const changed = () => Promise.all(touched.map((p) => invalidate(p)));
  const mayChange = (n: Note) => me.role === 'admin' || (n.author_kind === 'user' && n.author_id === me.id);
  return (
    <section aria-labelledby={`${idPrefix}-notes`}>
      <h2 id={`${idPrefix}-notes`}>{t('notes.title')}</h2>
      <NewNote id={`${idPrefix}-note`} path={`${parent}/notes`} onCreated={async (n) => {
        rows.changed(n, t('notes.created'));
        await changed();
      }} />
      <Said text={rows.gone} />
      <List<Note>
        path={`${parent}/notes`}
        head={[t('notes.col.note'), t('notes.col.author'), t('notes.col.when'), t('notes.col.actions')]}
        what={t('notes.what')}
        empty={t('notes.empty')}
        rowKey={(n) => n.id}
        {...rows.marked}
        pageSize={10}
      >
        {(items, isMarked) =>
          items.map((n) => (
            <Row
              key={n.id}
              className={isMarked(n) ? 'created' : undefined}
              cells={[
                <span className="note-body">{n.body}</span>,
                n.author_name,
                fmtDateTime(n.created_at),
                mayChange(n) ? (
                  <span className="actions">
                    <button type="button" className="secondary" aria-label={t('notes.edit', { note: n.body.slice(0, 40) })} onClick={() => rows.open(n)} data-track="edit-note">
                      {t('crm.edit')}
                    </button>
                    <ConfirmDelete
                      label={t('notes.delete', { note: n.body.slice(0, 40) })}
                      question={t('notes.confirmDelete')}
                      onConfirm={() =>
                        orReload(async () => {
                          await deleteRow(`/v1/t/${slug}/notes/${n.id}`, n.version);
                          rows.deleted(t('notes.deleted'));
                          await changed();
                        }, changed)
                      }
                    />
                  </span>
                ) : (
                  ''
                ),
              ]}
            />
          ))
        }
      </List>
      {rows.editing && <EditNote id={`${idPrefix}-edit-note`} slug={slug} note={rows.editing} touched={touched} onClose={rows.close} onSaved={(n) => rows.changed(n, t('notes.saved'))} />}
    </section>
  );
}

function EditNote({ id, slug, note, touched, onClose, onSaved }: { id: string; slug: string; note: Note; touched: string[]; onClose: () => void; onSaved: (n: Note) => void }) {
  const { t } = useTranslation();
  const [body, setBody] = useState(note.body);
  const edit = useRowEdit<Note>(`/v1/t/${slug}/notes/${note.id}`, note, { fill: (n) => setBody(n.body), touched, onSaved });
  const fieldError = useFieldError(edit.action.error);
  const title = t('notes.editTitle');
  return (
    <Dialog title={title} onClose={onClose}>
      <form
        className="note-form"
        onSubmit={edit.save(() => {
          requireFields({ body });
          return { body };
        })}
        aria-label={title}
        noValidate
      >
        <NoteBody id={id} value={body} onChange={setBody} error={fieldError('body')} />
        <SaveBar edit={edit} shownOn={['body']} />
      </form>
    </Dialog>
  );
}

function NewNote({ id, path, onCreated }: { id: string; path: string; onCreated: (n: Note) => Promise<void> }) {
  const { t } = useTranslation();
  const [body, setBody] = useState('');
  const action = useAction();
  const fieldError = useFieldError(action.error);
  const add = async () => {
    requireFields({ body });
    const n = await post<Note>(path, { body });
    setBody('');
    await onCreated(n);
  };
  return (
    <form className="note-form" onSubmit={action.submit(add)} aria-label={t('notes.add')} noValidate>
      <NoteBody id={id} value={body} onChange={setBody} error={fieldError('body')} />
      <span>
        <button type="submit" disabled={action.busy} data-track="add-note">
          {t('notes.addButton')}
        </button>
      </span>
      <FormError error={action.error} shownOn={['body']} />
    </form>
  );
}

function NoteBody({ id, value, onChange, error }: { id: string; value: string; onChange: (s: string) => void; error?: string }) {
  const { t } = useTranslation();
  return (
    <>
      <label htmlFor={id}>{t('notes.body')}</label>
      <textarea id={id} value={value} maxLength={5000} onChange={(e) => onChange(e.target.value)} aria-invalid={error ? true : undefined} aria-describedby={error ? `${id}-error` : undefined} />
      {error && (
        <span id={`${id}-error`} className="field-error">
          {error}
        </span>
      )}
    </>
  );
}
