// 待同步: every record still on the phone with its state — waiting, syncing, conflict (both versions
// and a choice), rejected (the server's reasons, editable) — and a short history of synced ones.
import { CloudSyncOutlined, EditOutlined } from '@ant-design/icons';
import { App as AntApp, Button, Empty, Popconfirm, Spin, Tag } from 'antd';
import { useNavigate } from 'react-router-dom';
import { activityKindLabels, type ActivityDto } from '../../../contracts/activities.ts';
import { formatTime } from '../labels.ts';
import { useQueue } from './data.ts';
import { deleteRecord, putRecord, type QueuedRecord, type QueueState } from './db.ts';
import type { FieldOutletContext } from './FieldApp.tsx';
import { fenToYuan } from './form.ts';
import { BlobThumb } from './parts.tsx';
import { useFieldSession } from './session.tsx';
import { useFieldText, type FieldKey } from './strings.ts';
import type { SyncOutcome } from './sync.ts';
import { newClientId } from './uuid.ts';

const stateLabel: Record<QueueState, { key: FieldKey; color: string }> = {
  waiting: { key: 'stateWaiting', color: 'gold' },
  syncing: { key: 'stateSyncing', color: 'processing' },
  synced: { key: 'stateSynced', color: 'green' },
  conflict: { key: 'stateConflict', color: 'volcano' },
  rejected: { key: 'stateRejected', color: 'red' },
};

export default function QueuePage({ sync }: { sync: FieldOutletContext }) {
  const { ft } = useFieldText();
  const { user, online } = useFieldSession();
  const { records } = useQueue(user?.id);
  const { message } = AntApp.useApp();

  if (!records) return <div className="lxm-center"><Spin /></div>;
  const open = records.filter((r) => r.state !== 'synced');
  const synced = records.filter((r) => r.state === 'synced').sort((a, b) => (b.syncedAt ?? '').localeCompare(a.syncedAt ?? ''));

  const report = (out: SyncOutcome | null) => {
    if (!out) return;
    if (out.kind === 'done' && out.sent === 0) void message.info(ft('queueEmpty'));
    else if (out.kind === 'done' && out.conflicts + out.rejected > 0) void message.warning(ft('syncDoneIssues', { synced: out.synced, conflicts: out.conflicts, rejected: out.rejected }));
    else if (out.kind === 'done') void message.success(ft('syncDone', { synced: out.synced }));
    else if (out.kind === 'offline') void message.warning(ft('syncOffline'));
    else if (out.kind === 'needLogin') void message.warning(ft('syncNeedLogin'));
    else if (out.kind === 'otherUser') void message.warning(ft('syncOtherUser'));
    else void message.error(ft('syncFailed', { message: out.message }));
  };

  return (
    <div data-testid="queue">
      <div className="lxm-h1-row">
        <h1 className="lxm-h1">{ft('queueTitle')}</h1>
        <Button type="primary" size="large" icon={<CloudSyncOutlined />} loading={sync.syncing} disabled={!online} onClick={async () => report(await sync.syncNow())} data-testid="sync-now">
          {sync.syncing ? ft('syncing') : ft('syncNow')}
        </Button>
      </div>
      {open.length === 0 ? <Empty className="lxm-empty" description={ft('queueEmpty')} /> : open.map((r) => <QueueCard key={r.clientId} r={r} />)}
      {synced.length > 0 ? (
        <section className="lxm-section">
          <h2 className="lxm-h2">{ft('syncedHistory')}</h2>
          {synced.map((r) => (
            <QueueCard key={r.clientId} r={r} />
          ))}
        </section>
      ) : null}
    </div>
  );
}

function QueueCard({ r }: { r: QueuedRecord }) {
  const { ft, l } = useFieldText();
  const navigate = useNavigate();
  const s = stateLabel[r.state];
  const d = r.draft;
  return (
    <article className={`lxm-card lxm-queue lxm-queue-${r.state}`} data-testid="queue-item" data-state={r.state} data-client-id={r.clientId}>
      <div className="lxm-queue-head">
        <Tag color={s.color} data-testid="queue-state">
          {ft(s.key)}
        </Tag>
        <strong>{l(activityKindLabels[d.kind])}</strong>
        <span className="lxm-muted lxm-small lxm-right">{formatTime(d.startsAt)}</span>
      </div>
      <div>{r.targetNames.join('、')}</div>
      {d.findings ? <div className="lxm-muted lxm-clip">{d.findings}</div> : null}
      {r.photos.length > 0 ? (
        <div className="lxm-photos lxm-photos-small">
          {r.photos.map((p) => (
            <div key={p.key} className="lxm-photo">
              <BlobThumb blob={p.blob} alt={p.name} />
            </div>
          ))}
        </div>
      ) : null}
      {r.lastError && r.state === 'waiting' ? <div className="lxm-muted lxm-small">{ft('lastError', { message: r.lastError })}</div> : null}
      {r.state === 'rejected' ? (
        <div className="lxm-reasons" data-testid="rejected-reasons">
          <div>{ft('rejectedReasons')}</div>
          <ul className="lxm-list">
            {(r.errors ?? []).map((e, i) => (
              <li key={i}>{e.message}</li>
            ))}
          </ul>
          <Button size="large" block icon={<EditOutlined />} onClick={() => navigate(`/m/record?edit=${r.clientId}`)}>
            {ft('editRecord')}
          </Button>
        </div>
      ) : null}
      {r.state === 'conflict' ? <Conflict r={r} /> : null}
      <div className="lxm-muted lxm-small">{ft('createdAt', { time: formatTime(r.createdAt) })}</div>
    </article>
  );
}

function Conflict({ r }: { r: QueuedRecord }) {
  const { ft } = useFieldText();
  const server = r.server;
  return (
    <div className="lxm-conflict" data-testid="conflict">
      <div>{ft('conflictText')}</div>
      <div className="lxm-versions">
        <Version title={ft('conflictMine')} v={mineSummary(r)} />
        {server ? <Version title={ft('conflictServer')} v={serverSummary(server)} /> : null}
      </div>
      <Button
        size="large"
        block
        type="primary"
        onClick={async () => {
          // A new clientId: the server keeps its copy, and mine is stored beside it.
          await putRecord({ ...r, clientId: newClientId(), state: 'waiting', server: undefined, serverId: undefined, errors: [], lastError: null, updatedAt: new Date().toISOString() });
          await deleteRecord(r.clientId);
        }}
      >
        {ft('keepMine')}
      </Button>
      <Popconfirm title={ft('discardConfirm')} onConfirm={() => deleteRecord(r.clientId)}>
        <Button size="large" block danger>
          {ft('discardMine')}
        </Button>
      </Popconfirm>
    </div>
  );
}

type Summary = { kind: string; time: string; targets: string; findings: string; money: string; photos: number };
const mineSummary = (r: QueuedRecord): Summary => ({
  kind: r.draft.kind,
  time: `${formatTime(r.draft.startsAt)} – ${formatTime(r.draft.endsAt)}`,
  targets: r.targetNames.join('、'),
  findings: r.draft.findings ?? '',
  money: r.draft.moneyFen != null ? `¥${fenToYuan(r.draft.moneyFen)}` : '',
  photos: r.photos.length,
});
const serverSummary = (a: ActivityDto): Summary => ({
  kind: a.kind,
  time: `${formatTime(a.startsAt)} – ${formatTime(a.endsAt)}`,
  targets: a.targets.map((t) => t.name).join('、'),
  findings: a.findings,
  money: a.moneyFen != null ? `¥${fenToYuan(a.moneyFen)}` : '',
  photos: a.photos.length,
});

function Version({ title, v }: { title: string; v: Summary }) {
  const { ft, l } = useFieldText();
  return (
    <div className="lxm-version">
      <strong>{title}</strong>
      <div>{l(activityKindLabels[v.kind as keyof typeof activityKindLabels])}</div>
      <div className="lxm-small">{v.time}</div>
      <div className="lxm-small">{v.targets}</div>
      {v.money ? <div className="lxm-small">{v.money}</div> : null}
      {v.findings ? <div className="lxm-small lxm-clip">{v.findings}</div> : null}
      <div className="lxm-small lxm-muted">{ft('photosCount', { count: v.photos })}</div>
    </div>
  );
}
