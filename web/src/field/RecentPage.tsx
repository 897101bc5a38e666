// 已记录: my recent records — from the server when online, else the synced history kept on the phone.
import { Empty, Spin, Tag } from 'antd';
import { useEffect, useState } from 'react';
import { activityKindLabels, type ActivitySummary } from '../../../contracts/activities.ts';
import { photoThumbUrl } from '../../../contracts/photos.ts';
import { api, type Page } from '../api.ts';
import { formatTime } from '../labels.ts';
import { useQueue } from './data.ts';
import { fenToYuan } from './form.ts';
import { BlobThumb } from './parts.tsx';
import { useFieldSession } from './session.tsx';
import { useFieldText } from './strings.ts';

export default function RecentPage() {
  const { ft, l } = useFieldText();
  const { user, state, online } = useFieldSession();
  const { records } = useQueue(user?.id);
  const [server, setServer] = useState<ActivitySummary[] | null | 'failed'>(null);
  const live = state === 'live' && online;

  useEffect(() => {
    if (!live || !user?.cadreId) return;
    let alive = true;
    api
      .get<Page<ActivitySummary>>('/api/v1/activities', { cadreId: user.cadreId, pageSize: 30 }, { quiet: true, noRedirect: true })
      .then((p) => alive && setServer(p.items))
      .catch(() => alive && setServer('failed'));
    return () => {
      alive = false;
    };
  }, [live, user?.cadreId, records?.length]);

  if (live && server === null) return <div className="lxm-center"><Spin /></div>;

  if (live && server !== 'failed' && server) {
    return (
      <div data-testid="recent">
        <h1 className="lxm-h1">{ft('recentTitle')}</h1>
        {server.length === 0 ? <Empty className="lxm-empty" description={ft('recentEmpty')} /> : null}
        {server.map((a) => (
          <article key={a.id} className="lxm-card lxm-recent" data-testid="recent-item">
            {a.firstPhotoId ? <img className="lxm-thumb" src={photoThumbUrl(a.firstPhotoId)} alt="" loading="lazy" /> : null}
            <div className="lxm-recent-body">
              <div>
                <strong>{l(activityKindLabels[a.kind])}</strong> <span className="lxm-muted lxm-small">{formatTime(a.startsAt)}</span>
              </div>
              <div>{a.targets.map((t) => t.name).join('、') || a.regionName}</div>
              <div className="lxm-muted lxm-small">
                {[
                  a.stayDays > 0 ? ft('stayDaysShort', { days: a.stayDays }) : null,
                  a.moneyFen != null ? `¥${fenToYuan(a.moneyFen)}` : null,
                  a.photoCount > 0 ? ft('photosCount', { count: a.photoCount }) : null,
                ]
                  .filter(Boolean)
                  .join(' · ')}
                {a.openFlagCount > 0 ? (
                  <Tag color="orange" style={{ marginInlineStart: 6 }}>
                    {ft('flagged', { count: a.openFlagCount })}
                  </Tag>
                ) : null}
              </div>
            </div>
          </article>
        ))}
      </div>
    );
  }

  const synced = (records ?? []).filter((r) => r.state === 'synced');
  return (
    <div data-testid="recent">
      <h1 className="lxm-h1">{ft('recentTitle')}</h1>
      <div className="lxm-note">{ft('recentOffline')}</div>
      {synced.length === 0 ? <Empty className="lxm-empty" description={ft('recentEmpty')} /> : null}
      {synced.map((r) => (
        <article key={r.clientId} className="lxm-card lxm-recent" data-testid="recent-item">
          {r.photos[0] ? <BlobThumb blob={r.photos[0].blob} alt={r.photos[0].name} /> : null}
          <div className="lxm-recent-body">
            <div>
              <strong>{l(activityKindLabels[r.draft.kind])}</strong> <span className="lxm-muted lxm-small">{formatTime(r.draft.startsAt)}</span>
            </div>
            <div>{r.targetNames.join('、')}</div>
          </div>
        </article>
      ))}
    </div>
  );
}
