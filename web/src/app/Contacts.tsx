// A customer's contacts: add one, change or delete each (guarded by the version read).
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { post } from '../api/client';
import { useAction } from '../data';
import { invalidate } from '../query';
import type { Contact } from '../types';
import { requireFields } from '../ui/errors';
import { Field, FormError, useFieldError } from '../ui/forms';
import { List } from '../ui/List';
import { Row } from '../ui/Table';
import { useListEdits, useRowEdit } from './crm';
import { Dialog } from './Dialog';
import { ConfirmDelete, Said, SaveBar } from './EditParts';

export function Contacts({ slug, customerId }: { slug: string; customerId: string }) {
  const { t } = useTranslation();
  const rows = useListEdits<Contact>();
  const list = `/v1/t/${slug}/contacts`;
  return (
    <section aria-labelledby="contacts-title">
      <h2 id="contacts-title">{t('customer.contacts')}</h2>
      <NewContact slug={slug} customerId={customerId} onCreated={(c) => rows.changed(c, t('customer.contactCreated', { name: c.name }))} />
      <Said text={rows.gone} />
      <List<Contact>
        path={list}
        params={{ customer_id: customerId }}
        head={[t('customer.col.contact'), t('customer.col.email'), t('customer.col.title'), t('customer.col.actions')]}
        what={t('customer.contactsWhat')}
        empty={t('customer.noContacts')}
        rowKey={(p) => p.id}
        {...rows.marked}
        pageSize={20}
      >
        {(items, isMarked) =>
          items.map((p) => (
            <Row
              key={p.id}
              className={isMarked(p) ? 'created' : undefined}
              cells={[
                p.name,
                p.email ?? '—',
                p.title ?? '—',
                <span className="actions">
                  <button type="button" className="secondary" aria-label={t('crm.editWhat', { what: p.name })} onClick={() => rows.open(p)} data-track="edit-contact">
                    {t('crm.edit')}
                  </button>
                </span>,
              ]}
            />
          ))
        }
      </List>
      {rows.editing && (
        <EditContact
          slug={slug}
          contact={rows.editing}
          onClose={rows.close}
          onSaved={(c) => rows.changed(c, t('customer.contactSaved', { name: c.name }))}
          onDeleted={(c) => rows.deleted(t('customer.contactDeleted', { name: c.name }))}
        />
      )}
    </section>
  );
}

function EditContact({ slug, contact, onClose, onSaved, onDeleted }: { slug: string; contact: Contact; onClose: () => void; onSaved: (c: Contact) => void; onDeleted: (c: Contact) => void }) {
  const { t } = useTranslation();
  const [name, setName] = useState(contact.name);
  const [email, setEmail] = useState(contact.email ?? '');
  const [title, setTitle] = useState(contact.title ?? '');
  const [phone, setPhone] = useState(contact.phone ?? '');
  const edit = useRowEdit<Contact>(`/v1/t/${slug}/contacts/${contact.id}`, contact, {
    fill: (c) => {
      setName(c.name);
      setEmail(c.email ?? '');
      setTitle(c.title ?? '');
      setPhone(c.phone ?? '');
    },
    touched: [`/v1/t/${slug}/contacts`],
    onSaved,
  });
  const fieldError = useFieldError(edit.action.error);
  return (
    <Dialog title={t('customer.editContact', { name: contact.name })} onClose={onClose}>
      <form
        onSubmit={edit.save(() => {
          requireFields({ name });
          return { name, email, title, phone };
        })}
        aria-label={t('customer.editContact', { name: contact.name })}
        noValidate
      >
        <Field id="edit-contact-name" label={t('customer.contactName')} value={name} onChange={(e) => setName(e.target.value)} error={fieldError('name')} />
        <Field id="edit-contact-email" label={t('customer.contactEmail')} type="email" value={email} onChange={(e) => setEmail(e.target.value)} error={fieldError('email')} />
        <Field id="edit-contact-title" label={t('customer.jobTitle')} value={title} onChange={(e) => setTitle(e.target.value)} error={fieldError('title')} />
        <Field id="edit-contact-phone" label={t('customer.phone')} type="tel" value={phone} onChange={(e) => setPhone(e.target.value)} error={fieldError('phone')} />
        <SaveBar edit={edit} shownOn={['name', 'email', 'title', 'phone']} />
      </form>
      <ConfirmDelete label={t('crm.deleteWhat', { what: edit.base.name })} question={t('customer.confirmDeleteContact', { name: edit.base.name })} onConfirm={() => edit.remove(() => onDeleted(edit.base))} />
    </Dialog>
  );
}

function NewContact({ slug, customerId, onCreated }: { slug: string; customerId: string; onCreated: (c: Contact) => void }) {
  const { t } = useTranslation();
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [title, setTitle] = useState('');
  const action = useAction();
  const fieldError = useFieldError(action.error);
  const create = async () => {
    requireFields({ name });
    const c = await post<Contact>(`/v1/t/${slug}/contacts`, { customer_id: customerId, name, email: email || undefined, title: title || undefined });
    setName('');
    setEmail('');
    setTitle('');
    onCreated(c);
    await invalidate(`/v1/t/${slug}/contacts`);
  };
  return (
    <form className="inline-form" onSubmit={action.submit(create)} aria-label={t('customer.addContact')} noValidate>
      <Field id="contact-name" label={t('customer.contactName')} value={name} onChange={(e) => setName(e.target.value)} error={fieldError('name')} />
      <Field id="contact-email" label={t('customer.contactEmail')} type="email" value={email} onChange={(e) => setEmail(e.target.value)} error={fieldError('email')} />
      <Field id="contact-title" label={t('customer.jobTitle')} value={title} onChange={(e) => setTitle(e.target.value)} error={fieldError('title')} />
      <button type="submit" data-track="create-contact">
        {t('customer.addContactButton')}
      </button>
      <FormError error={action.error} shownOn={['name', 'email', 'title']} />
    </form>
  );
}
