import { Anchor, Badge, Button, Grid, Group, Loader, NavLink, Paper, ScrollArea, Stack, Table, Text, Title } from '@mantine/core';
import { useDocumentTitle } from '@mantine/hooks';
import type { MailMessageDetail, MailMessageSummary, MailThread } from '@renkei/contract';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { DateTime } from '../../../components/date-time.tsx';
import { ErrorAlert } from '../../../components/error-alert.tsx';
import { attachmentUrl, type MessageFilter, mailKeys, useMessage, useMessages, useThreads } from '../api/mail.ts';
import { PgpBadge } from './pgp-badge.tsx';
import { TemplatePreview } from './template-preview.tsx';

type Selection = { kind: 'thread'; thread: MailThread } | { kind: 'unmatched' };

/**
 * The mailbox: threads on the left (plus replies that matched none), the thread's messages, and the
 * chosen message. Bodies are shown as text only; HTML is never rendered, attachments only download.
 */
export function MailboxPage() {
  const { t } = useTranslation();
  useDocumentTitle(`${t('mail.pageTitle')} · Renkei`);
  const queryClient = useQueryClient();
  const [selection, setSelection] = useState<Selection | null>(null);
  const [messageId, setMessageId] = useState<string | null>(null);
  const [showTemplates, setShowTemplates] = useState(false);

  // A thread reads both ways (our mail and the replies); unmatched replies are inbound by nature.
  const filter: MessageFilter | null =
    selection === null ? null : selection.kind === 'thread' ? { threadId: selection.thread.id, direction: 'all' } : { flag: 'unmatched_reply' };
  const threadsQuery = useThreads();
  const messagesQuery = useMessages(filter);
  const messageQuery = useMessage(messageId);
  const threads = threadsQuery.data ?? null;
  const messages = messagesQuery.data ?? null;
  const message = messageQuery.data ?? null;
  const error = threadsQuery.error ?? messagesQuery.error ?? messageQuery.error;

  const select = (next: Selection) => {
    setSelection(next);
    setMessageId(null);
  };

  return (
    <Stack gap="md">
      <Group justify="space-between">
        <Title order={1} size="h2">
          {t('mail.pageTitle')}
        </Title>
        <Group gap="xs">
          <Button
            variant={showTemplates ? 'light' : 'default'}
            size="xs"
            onClick={() => setShowTemplates((shown) => !shown)}
            aria-expanded={showTemplates}
            data-testid="mail-templates-toggle"
          >
            {t('mail.templates.title')}
          </Button>
          <Button variant="default" size="xs" onClick={() => void queryClient.invalidateQueries({ queryKey: mailKeys.all })}>
            {t('mail.refresh')}
          </Button>
        </Group>
      </Group>
      {error !== null && <ErrorAlert error={error} onRetry={() => void queryClient.refetchQueries({ queryKey: mailKeys.all, type: 'active' })} />}
      {showTemplates && <TemplatePreview />}
      <Grid>
        <Grid.Col span={{ base: 12, md: 3 }}>
          <Paper withBorder radius="md" p="xs" component="nav" aria-label={t('mail.threads')}>
            <NavLink
              label={t('mail.unmatched')}
              active={selection?.kind === 'unmatched'}
              onClick={() => select({ kind: 'unmatched' })}
              data-testid="mail-unmatched"
            />
            {threads === null ? (
              <Loader size="sm" m="sm" />
            ) : threads.length === 0 ? (
              <Text size="sm" c="dimmed" p="sm">
                {t('mail.noThreads')}
              </Text>
            ) : (
              <ScrollArea.Autosize mah={600}>
                {threads.map((thread) => (
                  <NavLink
                    key={thread.id}
                    label={thread.subject}
                    description={`${thread.key} · ${t('mail.messageCount', { count: thread.messageCount })}`}
                    active={selection?.kind === 'thread' && selection.thread.id === thread.id}
                    onClick={() => select({ kind: 'thread', thread })}
                    data-testid="mail-thread"
                  />
                ))}
              </ScrollArea.Autosize>
            )}
          </Paper>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 9 }}>
          {selection === null ? (
            <Text c="dimmed">{t('mail.chooseThread')}</Text>
          ) : messages === null ? (
            <Loader size="sm" />
          ) : (
            <Stack gap="md">
              <MessageTable messages={messages} onOpen={setMessageId} selectedId={messageId} />
              {message && message.id === messageId && <MessageView message={message} />}
            </Stack>
          )}
        </Grid.Col>
      </Grid>
    </Stack>
  );
}

function MessageTable({ messages, onOpen, selectedId }: { messages: MailMessageSummary[]; onOpen: (id: string) => void; selectedId: string | null }) {
  const { t } = useTranslation();
  if (messages.length === 0) return <Text c="dimmed">{t('mail.noMessages')}</Text>;
  return (
    <Table highlightOnHover striped data-testid="mail-messages">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>{t('mail.received')}</Table.Th>
          <Table.Th>{t('mail.from')}</Table.Th>
          <Table.Th>{t('mail.subject')}</Table.Th>
          <Table.Th>{t('mail.pgpColumn')}</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {messages.map((m) => (
          <Table.Tr key={m.id} bg={m.id === selectedId ? 'var(--mantine-color-blue-light)' : undefined}>
            <Table.Td>
              <DateTime value={m.receivedAt} />
            </Table.Td>
            <Table.Td>
              {m.direction === 'outbound' ? (
                <>
                  <Badge size="xs" variant="outline" mr={6} data-testid="mail-direction" data-direction="outbound">
                    {t('mail.sent')}
                  </Badge>
                  {m.to.join(', ')}
                </>
              ) : m.fromName ? (
                `${m.fromName} <${m.fromAddress ?? ''}>`
              ) : (
                (m.fromAddress ?? '—')
              )}
            </Table.Td>
            <Table.Td>
              <Anchor component="button" type="button" onClick={() => onOpen(m.id)} data-testid="mail-open">
                {m.subject || t('mail.noSubject')}
              </Anchor>
              {m.deliveryStatus && m.status !== 'held' && (
                <Badge
                  ml={6}
                  variant="light"
                  color={m.deliveryStatus === 'bounced' || m.deliveryStatus === 'failed' ? 'red' : m.deliveryStatus === 'delayed' ? 'yellow' : 'gray'}
                  data-testid="mail-delivery"
                  data-status={m.deliveryStatus}
                >
                  {t(`mail.delivery.${m.deliveryStatus}`, { defaultValue: m.deliveryStatus })}
                </Badge>
              )}
              {((m.direction === 'inbound' && m.status !== 'stored') || m.status === 'held') && (
                <Badge ml={6} color="orange" variant="light" data-testid="mail-status" data-status={m.status}>
                  {t(`mail.status.${m.status}`, { defaultValue: m.status })}
                </Badge>
              )}
            </Table.Td>
            <Table.Td>
              <PgpBadge status={m.pgpStatus} />
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

function MessageView({ message }: { message: MailMessageDetail }) {
  const { t } = useTranslation();
  // Text only: React escapes it, and the HTML body never reaches the browser.
  const body = message.textBody.trim() !== '' ? message.textBody : (message.htmlText ?? '');
  return (
    <Paper withBorder radius="md" p="md" component="article" aria-labelledby="mail-message-subject" data-testid="mail-message">
      <Stack gap="xs">
        <Title order={2} size="h4" id="mail-message-subject">
          {message.subject || t('mail.noSubject')}
        </Title>
        <Group gap="xs">
          <PgpBadge status={message.pgpStatus} encryption={message.pgpEncryption} />
          {message.tlp && (
            <Badge color="dark" variant="filled">
              {message.tlp}
            </Badge>
          )}
          {message.flags.map((flag) => (
            <Badge key={flag} color="grape" variant="light">
              {t(`mail.flags.${flag}`, { defaultValue: flag })}
            </Badge>
          ))}
        </Group>
        <Text size="sm">
          {t('mail.from')}: {message.fromName ? `${message.fromName} <${message.fromAddress ?? ''}>` : (message.fromAddress ?? '—')} ·{' '}
          <DateTime value={message.receivedAt} />
        </Text>
        {message.pgpDetail && (
          <Text size="xs" c="dimmed" data-testid="pgp-detail">
            {message.pgpDetail}
          </Text>
        )}
        {/* A held message's reason in the page's language; other details are the server's words. */}
        {(message.status === 'held' || message.statusDetail) && (
          <Text size="sm" c="orange" data-testid="mail-status-detail">
            {message.status === 'held' ? t('mail.heldDetail') : message.statusDetail}
          </Text>
        )}
        {message.hasHtml && message.textBody.trim() === '' && (
          <Text size="xs" c="dimmed">
            {t('mail.htmlAsText')}
          </Text>
        )}
        <Text
          component="pre"
          size="sm"
          style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word', fontFamily: 'var(--mantine-font-family-monospace)' }}
          data-testid="mail-body"
        >
          {body}
        </Text>
        {message.parts.length > 0 && (
          <Table data-testid="mail-attachments">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('mail.attachment')}</Table.Th>
                <Table.Th>{t('mail.type')}</Table.Th>
                <Table.Th>{t('mail.size')}</Table.Th>
                <Table.Th>SHA-256</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {message.parts.map((part) => (
                <Table.Tr key={part.id}>
                  <Table.Td>
                    <Anchor href={attachmentUrl(message.id, part.id)} download>
                      {part.filename ?? t('mail.unnamed')}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>{part.contentType}</Table.Td>
                  <Table.Td>{t('mail.bytes', { count: part.size })}</Table.Td>
                  <Table.Td>
                    <Text size="xs" ff="monospace">
                      {part.sha256.slice(0, 16)}…
                    </Text>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Stack>
    </Paper>
  );
}
