import { ArrowRightOutlined } from '@ant-design/icons';
import { Empty, Tag, Timeline } from 'antd';
import { useEffect, useMemo, useState, type ReactNode } from 'react';
import { Link } from 'react-router-dom';
import { roleLabels, type Role } from '../../../contracts/auth.ts';
import type { TicketEventDto } from '../../../contracts/ticket-api.ts';
import {
  closureTypeLabels,
  superviseLevelLabels,
  ticketActionLabels,
  ticketRatingLabels,
  type ClosureType,
  type SuperviseLevel,
  type TicketAction,
  type TicketRating,
} from '../../../contracts/tickets.ts';
import type { UnitDto } from '../../../contracts/units.ts';
import { api } from '../api.ts';
import type { Lang } from '../i18n.ts';
import { formatTime } from '../labels.ts';
import { StateTag, superviseColor, useTicketWords } from './ticketCommon.tsx';

// The ticket's immutable event log, oldest first: what was done, by whom in which role, when,
// from which state to which, the note, and what the action carried (unit, deadline, level,
// rating …) in words.

const extraLabels: Record<string, { zh: string; en: string }> = {
  register: { zh: '登记', en: 'Registered' },
  public: { zh: '诉求人', en: 'Requester' },
  system: { zh: '系统', en: 'System' },
};
const actionLabel = (a: string, lang: Lang) => ticketActionLabels[a as TicketAction]?.[lang] ?? extraLabels[a]?.[lang] ?? a;
const roleLabel = (r: string, lang: Lang) => roleLabels[r as Role]?.[lang] ?? extraLabels[r]?.[lang] ?? r;

const colorOf = (e: TicketEventDto): string => {
  if (e.action === 'supervise') return (e.data.level as string) === 'red' ? 'red' : 'gold';
  if (e.action === 'return' || e.action === 'refuse_extension') return 'orange';
  if (e.toState === 'resolved' || e.toState === 'closed') return 'green';
  if (e.action === 'rate' && e.data.rating === 'unsatisfied') return 'red';
  return 'blue';
};

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const str = (v: unknown): string | null => (typeof v === 'string' && v ? v : null);

/** Names of the units events mention: those the caller passes, else asked of the server once. */
function useUnitNames(events: TicketEventDto[], known: Record<number, string>) {
  const [names, setNames] = useState<Record<number, string>>({});
  const wanted = useMemo(() => {
    const ids = new Set<number>();
    for (const e of events) {
      for (const k of ['unitId', 'fromUnitId'] as const) {
        const id = num(e.data[k]);
        if (id !== null && !known[id] && !str(e.data[k === 'unitId' ? 'unitName' : 'fromUnitName'])) ids.add(id);
      }
    }
    return [...ids].sort((a, b) => a - b).join(',');
  }, [events, known]);
  useEffect(() => {
    if (!wanted) return;
    let cancelled = false;
    void Promise.all(
      wanted.split(',').map(async (id) => {
        try {
          const u = await api.get<UnitDto>(`/api/v1/units/${id}`, undefined, { quiet: true });
          return [Number(id), u.name] as const;
        } catch {
          return null; // outside the caller's scope: shown by number
        }
      }),
    ).then((pairs) => {
      if (!cancelled) setNames(Object.fromEntries(pairs.filter((p): p is readonly [number, string] => p !== null)));
    });
    return () => {
      cancelled = true;
    };
  }, [wanted]);
  return { ...names, ...known };
}

export function TicketTimeline({ events, units }: { events: TicketEventDto[]; units: Record<number, string> }) {
  const { tt, lang } = useTicketWords();
  const names = useUnitNames(events, units);
  if (!events.length) return <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} />;
  const unit = (id: unknown, name: unknown) => str(name) ?? (num(id) !== null ? (names[num(id)!] ?? tt('unitN', { id: num(id)! })) : null);

  const details = (e: TicketEventDto): ReactNode[] => {
    const d = e.data;
    const out: ReactNode[] = [];
    const u = unit(d.unitId, d.unitName);
    const from = unit(d.fromUnitId, d.fromUnitName);
    if (e.action === 'transfer' && from && u) out.push(<span key="u">{from} <ArrowRightOutlined /> {u}</span>);
    else if (e.action === 'add_assisting_unit' && u) out.push(<span key="u">{tt('assistingUnit')}：{u}</span>);
    else if (u) out.push(<span key="u">{tt('handlingUnit')}：{u}</span>);
    else if (from && e.action === 'return') out.push(<span key="u">{tt('handlingUnit')}：{from}</span>);
    const due = str(d.dueAt);
    if (due) out.push(<span key="due">{tt('dueAt')}：{str(d.fromDueAt) ? `${formatTime(str(d.fromDueAt))} → ` : ''}{formatTime(due)}</span>);
    const days = num(d.workingDays);
    if (days !== null) out.push(<span key="wd">{tt('workingDays')}：{days}</span>);
    const level = str(d.level) as SuperviseLevel | null;
    if (level && superviseLevelLabels[level]) out.push(<Tag key="lv" color={superviseColor[level]}>{superviseLevelLabels[level][lang]}</Tag>);
    const rating = str(d.rating) as TicketRating | null;
    if (rating && ticketRatingLabels[rating]) out.push(<Tag key="rt" color={rating === 'unsatisfied' ? 'red' : 'green'}>{ticketRatingLabels[rating][lang]}</Tag>);
    const closure = str(d.closureType) as ClosureType | null;
    if (closure && closureTypeLabels[closure]) out.push(<Tag key="ct">{closureTypeLabels[closure][lang]}</Tag>);
    const into = num(d.intoTicketId);
    if (into !== null) out.push(<span key="into">{tt('mergedInto')}：<Link to={`/tickets/${into}`}>{str(d.intoTrackingCode) ?? tt('ticketN', { id: into })}</Link></span>);
    return out;
  };

  return (
    <Timeline
      data-testid="ticket-timeline"
      items={events.map((e) => ({
        key: e.id,
        color: colorOf(e),
        content: (
          <div data-testid={`event-${e.action}`}>
            <div>
              <strong>{actionLabel(e.action, lang)}</strong>
              <span style={{ marginInlineStart: 8 }}>
                {e.fromState && e.fromState !== e.toState ? (
                  <>
                    <StateTag state={e.fromState} lang={lang} />
                    <ArrowRightOutlined style={{ color: '#8c8c8c', marginInlineEnd: 8 }} />
                  </>
                ) : null}
                {e.fromState !== e.toState ? <StateTag state={e.toState} lang={lang} /> : null}
              </span>
            </div>
            <div className="lx-muted" style={{ fontSize: 12 }}>
              {formatTime(e.at)} · {e.actorName || '—'}（{roleLabel(e.actorRole, lang)}）
            </div>
            {(() => {
              const parts = details(e);
              return parts.length ? <div style={{ display: 'flex', flexWrap: 'wrap', gap: '2px 12px', marginTop: 2 }}>{parts}</div> : null;
            })()}
            {e.note ? <div className="lx-prose" style={{ marginTop: 2 }}>{e.note}</div> : null}
          </div>
        ),
      }))}
    />
  );
}
