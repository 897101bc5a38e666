// 我的任务: what is due for me, per target, from GET /due (or its copy saved for offline use).
// Tapping a target opens the record form with that target chosen.
import { RightOutlined } from '@ant-design/icons';
import { Empty, Spin, Tag } from 'antd';
import { useNavigate } from 'react-router-dom';
import { dueStateLabels, visitPeriodLabels, type DueItem, type DueState } from '../../../contracts/due.ts';
import { formatTime, kindColor, targetKindLabel } from '../labels.ts';
import { useFieldData } from './data.ts';
import { useFieldText, type FieldKey } from './strings.ts';

const groups: { state: DueState; label: FieldKey; tone: string }[] = [
  { state: 'overdue', label: 'dueOverdue', tone: 'lxm-due-overdue' },
  { state: 'due_this_week', label: 'dueWeek', tone: 'lxm-due-week' },
  { state: 'due_this_month', label: 'dueMonth', tone: 'lxm-due-month' },
  { state: 'later', label: 'dueLater', tone: 'lxm-due-later' },
  { state: 'met', label: 'dueMet', tone: 'lxm-due-met' },
];

export default function TasksPage() {
  const { ft } = useFieldText();
  const { due, loading } = useFieldData();

  if (!due && loading) {
    return (
      <div className="lxm-center">
        <Spin />
      </div>
    );
  }
  if (!due) return <Empty className="lxm-empty" description={ft('noCache')} />;
  const list = due.value;

  return (
    <div data-testid="tasks">
      <h1 className="lxm-h1">{ft('tasksTitle')}</h1>
      {due.fromCache && due.savedAt ? <div className="lxm-note">{ft('cachedAt', { time: formatTime(due.savedAt) })}</div> : null}
      <div className="lxm-counts">
        {groups.slice(0, 3).map((g) => (
          <div key={g.state} className={`lxm-count ${g.tone}`}>
            <strong>{list.counts[g.state] ?? 0}</strong>
            <span>{ft(g.label)}</span>
          </div>
        ))}
      </div>
      {list.items.length === 0 ? <Empty className="lxm-empty" description={ft('dueNone')} /> : null}
      {groups.map((g) => {
        const items = list.items.filter((i) => i.state === g.state);
        if (items.length === 0) return null;
        return (
          <section key={g.state} className="lxm-section" data-testid={`due-${g.state}`}>
            <h2 className={`lxm-h2 ${g.tone}`}>
              {ft(g.label)} <span className="lxm-muted">{items.length}</span>
            </h2>
            {items.map((i) => (
              <DueCard key={i.pairingId} item={i} />
            ))}
          </section>
        );
      })}
      {list.withoutFrequency > 0 ? <div className="lxm-note">{ft('dueNoFrequency', { count: list.withoutFrequency })}</div> : null}
    </div>
  );
}

function DueCard({ item }: { item: DueItem }) {
  const { ft, lang, l } = useFieldText();
  const navigate = useNavigate();
  const freq = ft('frequency', { per: l(visitPeriodLabels[item.frequency.per]), times: item.frequency.times });
  return (
    <button
      type="button"
      className="lxm-card lxm-due"
      data-testid="due-item"
      onClick={() => navigate(`/m/record?targetId=${item.targetId}&campaignId=${item.campaignId}`)}
      aria-label={`${ft('record')} ${item.targetName}`}
    >
      <div className="lxm-due-main">
        <div className="lxm-due-name">
          <Tag color={kindColor[item.targetKind]}>{targetKindLabel(item.targetKind, lang)}</Tag>
          <strong>{item.targetName}</strong>
        </div>
        <div className="lxm-muted">
          {item.targetRegionName} · {freq} · {ft('dueProgress', { done: item.done, required: item.required })}
        </div>
        <div className="lxm-muted">
          {item.nextDueOn ? <span className={item.state === 'overdue' ? 'lxm-red' : undefined}>{ft('dueBy', { date: item.nextDueOn })}</span> : l(dueStateLabels[item.state])}
          {item.lastVisitOn ? ` · ${ft('dueLast', { date: item.lastVisitOn })}` : ''}
          {item.teamName ? ` · ${ft('viaTeam', { team: item.teamName })}` : ''}
        </div>
        <div className="lxm-muted lxm-small">{item.campaignName}</div>
      </div>
      <span className="lxm-due-go">
        {ft('record')} <RightOutlined />
      </span>
    </button>
  );
}
