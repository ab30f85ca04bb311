import { Badge, Button, Group, Paper, SegmentedControl, Select, Stack, Text, TextInput, Textarea } from '@mantine/core';
import { useForm } from '@mantine/form';
import { isStaffRole } from '@renkei/contract';
import { useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { DateTime } from '../../../components/date-time.tsx';
import { ErrorAlert } from '../../../components/error-alert.tsx';
import { Section } from '../../../components/section.tsx';
import { useMe } from '../../../lib/session.tsx';
import { type CaseMessage, useCaseMessages, useMarkCaseSeen, usePostCaseMessage } from '../api/case-messages.ts';
import type { CaseDetail } from '../api/vulnerabilities.ts';
import { isHandler } from '../labels.ts';

/** 'case': the thread every shared participant reads; 'private': a participant's thread with the team; else the team's private thread with that participant. */
type Thread = string;

const GENERAL = '';

/**
 * The case's messages as the server models them: the case thread, and private threads between the team
 * and one participant (the team picks which); each message may be about one vulnerability or product.
 * Opening the panel marks the case seen; messages new since the last visit carry a mark until reload.
 */
export function CaseMessagesPanel({ detail }: { detail: CaseDetail }) {
  const { t, i18n } = useTranslation();
  const me = useMe();
  const asTeam = me.roles.some((role) => isStaffRole(role));
  const canPost = asTeam ? isHandler(me.roles) : true;
  const query = useCaseMessages(detail.id);
  const seen = useMarkCaseSeen(detail.id);
  const marked = useRef<string | null>(null);
  const [thread, setThread] = useState<Thread>('case');
  const [topic, setTopic] = useState<string | null>(null);

  useEffect(() => {
    if (query.isSuccess && marked.current !== detail.id) {
      marked.current = detail.id;
      seen.mutate();
    }
  }, [query.isSuccess, detail.id, seen]);

  const messages = query.data ?? [];
  const inThread = (m: CaseMessage, which: Thread) =>
    which === 'case' ? m.privateTo === null : which === 'private' ? m.privateTo !== null : m.privateTo === which;
  const unreadIn = (which: Thread) => messages.filter((m) => m.unread && inThread(m, which)).length;
  const label = (text: string, which: Thread) => (unreadIn(which) > 0 ? `${text} (${t('caseMessages.newCount', { count: unreadIn(which) })})` : text);
  const privateThreads = detail.participants.filter((p) => p.sharedAt !== null);
  const vulnerabilityTitle = useMemo(() => {
    const titles = new Map(detail.vulnerabilities.map((v) => [v.id, i18n.language === 'ja' && v.titleJa ? v.titleJa : v.title]));
    return (id: string) => titles.get(id) ?? '';
  }, [detail.vulnerabilities, i18n.language]);
  const shown = messages.filter(
    (m) => inThread(m, thread) && (topic === null || (topic === GENERAL ? m.vulnerabilityId === null : m.vulnerabilityId === topic)),
  );
  const topics = [
    { value: GENERAL, label: t('caseMessages.general') },
    ...detail.vulnerabilities.map((v) => ({ value: v.id, label: vulnerabilityTitle(v.id) })),
  ];

  return (
    <Section title={t('caseMessages.title')} description={t(asTeam ? 'caseMessages.helpTeam' : 'caseMessages.helpParticipant')} testId="case-messages">
      {query.error !== null && <ErrorAlert error={query.error} onRetry={() => void query.refetch()} />}
      <Group gap="sm" align="flex-end" wrap="wrap">
        {asTeam ? (
          <Select
            label={t('caseMessages.thread')}
            data={[
              { value: 'case', label: label(t('caseMessages.caseThread'), 'case') },
              ...privateThreads.map((p) => ({ value: p.id, label: label(t('caseMessages.privateWith', { name: p.name }), p.id) })),
            ]}
            value={thread}
            onChange={(value) => setThread(value ?? 'case')}
            allowDeselect={false}
            w={320}
            data-testid="thread-picker"
          />
        ) : (
          <SegmentedControl
            aria-label={t('caseMessages.thread')}
            data={[
              { value: 'case', label: label(t('caseMessages.caseThread'), 'case') },
              { value: 'private', label: label(t('caseMessages.privateWithTeam'), 'private') },
            ]}
            value={thread}
            onChange={setThread}
            data-testid="thread-tabs"
          />
        )}
        {detail.vulnerabilities.length > 0 && (
          <Select
            label={t('caseMessages.topicFilter')}
            placeholder={t('caseMessages.allTopics')}
            data={topics}
            value={topic}
            onChange={setTopic}
            clearable
            w={260}
            data-testid="topic-filter"
          />
        )}
      </Group>
      <Stack gap="xs" data-testid="message-list" aria-live="polite">
        {shown.length === 0 ? (
          <Text c="dimmed" size="sm" data-testid="messages-empty">
            {t('caseMessages.empty')}
          </Text>
        ) : (
          shown.map((m) => <MessageItem key={m.id} message={m} vulnerabilityTitle={vulnerabilityTitle} />)
        )}
      </Stack>
      {canPost && <MessageForm caseId={detail.id} thread={thread} asTeam={asTeam} topics={topics} />}
    </Section>
  );
}

function MessageItem({ message, vulnerabilityTitle }: { message: CaseMessage; vulnerabilityTitle: (id: string) => string }) {
  const { t } = useTranslation();
  const author = message.mine
    ? t('caseMessages.you')
    : message.author === 'team'
      ? t('caseMessages.team')
      : message.author === 'participant'
        ? t('caseMessages.anotherParticipant')
        : message.author;
  return (
    <Paper withBorder p="sm" radius="sm" data-testid="case-message" data-unread={message.unread ? 'true' : 'false'} bg={message.mine ? 'gray.0' : undefined}>
      <Group gap="xs" mb={4} wrap="wrap">
        <Text size="sm" fw={600} data-testid="message-author">
          {author}
        </Text>
        <Text size="xs" c="dimmed">
          <DateTime value={message.createdAt} />
        </Text>
        {message.unread && (
          <Badge size="sm" color="orange" data-testid="message-new">
            {t('caseMessages.new')}
          </Badge>
        )}
        {message.vulnerabilityId && (
          <Badge size="sm" variant="light">
            {vulnerabilityTitle(message.vulnerabilityId)}
          </Badge>
        )}
        {message.productName && (
          <Badge size="sm" variant="outline">
            {message.productName}
          </Badge>
        )}
      </Group>
      {/* A body is untrusted text: React renders it as text, never as HTML. */}
      <Text size="sm" style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }} data-testid="message-body">
        {message.body}
      </Text>
    </Paper>
  );
}

function MessageForm({ caseId, thread, asTeam, topics }: { caseId: string; thread: Thread; asTeam: boolean; topics: { value: string; label: string }[] }) {
  const { t } = useTranslation();
  const post = usePostCaseMessage(caseId);
  const form = useForm({
    initialValues: { body: '', topic: GENERAL, productName: '' },
    validate: {
      body: (value) => (value.trim() === '' ? t('caseMessages.bodyRequired') : value.length > 100_000 ? t('caseMessages.bodyTooLong') : null),
      productName: (value) => (value.length > 300 ? t('caseMessages.productTooLong') : null),
    },
  });
  const submit = form.onSubmit((values) => {
    const target = thread === 'case' ? {} : asTeam ? { privateTo: thread } : { private: true };
    post.mutate(
      {
        body: values.body,
        ...target,
        ...(values.topic ? { vulnerabilityId: values.topic } : {}),
        ...(values.productName.trim() ? { productName: values.productName.trim() } : {}),
      },
      { onSuccess: () => form.setFieldValue('body', '') },
    );
  });
  return (
    <form onSubmit={submit} data-testid="message-form">
      <Stack gap="xs">
        {post.error !== null && <ErrorAlert error={post.error} onClose={post.reset} />}
        <Textarea
          label={thread === 'case' ? t('caseMessages.toCaseThread') : t('caseMessages.toPrivateThread')}
          autosize
          minRows={3}
          maxRows={12}
          {...form.getInputProps('body')}
          data-testid="message-body-input"
        />
        <Group gap="sm" align="flex-end" wrap="wrap">
          {topics.length > 1 && <Select label={t('caseMessages.topic')} data={topics} allowDeselect={false} w={260} {...form.getInputProps('topic')} />}
          <TextInput label={t('caseMessages.product')} w={220} {...form.getInputProps('productName')} />
          <Button type="submit" loading={post.isPending} data-testid="message-send">
            {t('caseMessages.send')}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
