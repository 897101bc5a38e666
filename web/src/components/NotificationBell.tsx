import { BellOutlined } from '@ant-design/icons';
import { Badge, Button, Empty, List, Popover, Segmented, Spin } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { useNavigate } from 'react-router-dom';
import type { NotificationDto } from '../../../contracts/ticket-api.ts';
import { api } from '../api.ts';
import { formatTime } from '../labels.ts';
import { useTicketText } from './ticketLoopText.ts';
import './ticketLoop.css';

// The header bell: the unread count, polled every minute (and when the tab comes back into view),
// and a dropdown of notifications (督办, 交办, 即将到期 …). Opening one marks it read and goes to its
// ticket. Errors stay quiet: the bell must never interrupt the page it sits on.
// Every signed-in request moves the session's idle clock on, so the bell polls only while the
// person is using the page: left alone, the session still ends after the idle limit (超时退出).

const POLL_MS = 60_000;
/** Poll only within this long of the last keystroke, click, scroll or pointer move. */
const ACTIVE_MS = 3 * 60_000;
const activity = ['pointerdown', 'pointermove', 'keydown', 'wheel', 'touchstart'] as const;
type Listed = NotificationDto[] | { items: NotificationDto[] };
const itemsOf = (r: Listed) => (Array.isArray(r) ? r : r.items);

export function NotificationBell() {
  const { tt } = useTicketText();
  const navigate = useNavigate();
  const [count, setCount] = useState(0);
  const [open, setOpen] = useState(false);
  const [unreadOnly, setUnreadOnly] = useState(true);
  const [items, setItems] = useState<NotificationDto[] | null>(null);
  const [loading, setLoading] = useState(false);

  const refreshCount = useCallback(async () => {
    try {
      setCount((await api.get<{ count: number }>('/api/v1/notifications/unread-count', undefined, { quiet: true })).count);
    } catch {
      /* quiet: try again at the next tick */
    }
  }, []);

  useEffect(() => {
    let lastActive = Date.now();
    let lastPoll = Date.now();
    const poll = () => {
      lastPoll = Date.now();
      void refreshCount();
    };
    // Back from a pause (idle or hidden tab): catch up at once instead of waiting for the tick.
    const onActive = () => {
      const now = Date.now();
      const wasIdle = now - lastActive > ACTIVE_MS;
      lastActive = now;
      if (wasIdle && now - lastPoll > POLL_MS) poll();
    };
    const onVisible = () => {
      if (document.visibilityState === 'visible') onActive();
    };
    poll();
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible' && Date.now() - lastActive < ACTIVE_MS) poll();
    }, POLL_MS);
    for (const e of activity) window.addEventListener(e, onActive, { passive: true });
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      clearInterval(timer);
      for (const e of activity) window.removeEventListener(e, onActive);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [refreshCount]);

  const loadList = useCallback(async (unread: boolean) => {
    setLoading(true);
    try {
      setItems(itemsOf(await api.get<Listed>('/api/v1/notifications', { unread: unread ? 1 : undefined }, { quiet: true })));
    } catch {
      setItems([]);
    } finally {
      setLoading(false);
    }
  }, []);

  useEffect(() => {
    if (open) void loadList(unreadOnly);
  }, [open, unreadOnly, loadList]);

  const openOne = async (n: NotificationDto) => {
    setOpen(false);
    if (!n.readAt) {
      setCount((c) => Math.max(0, c - 1));
      void api.post(`/api/v1/notifications/${encodeURIComponent(n.id)}/read`, undefined, { quiet: true }).catch(() => undefined);
    }
    const to = n.link ?? (n.ticketId ? `/tickets/${n.ticketId}` : null);
    if (to) navigate(to);
  };

  const readAll = async () => {
    try {
      await api.post('/api/v1/notifications/read-all', undefined, { quiet: true });
      setCount(0);
      await loadList(unreadOnly);
    } catch {
      /* quiet */
    }
  };

  const content = (
    <div style={{ width: 360, maxWidth: '90vw' }} data-testid="notification-list">
      <div style={{ display: 'flex', alignItems: 'center', gap: 8, marginBottom: 8 }}>
        <Segmented<'unread' | 'all'>
          size="small"
          value={unreadOnly ? 'unread' : 'all'}
          onChange={(v) => setUnreadOnly(v === 'unread')}
          options={[
            { value: 'unread', label: tt('notificationsShowUnread') },
            { value: 'all', label: tt('notificationsShowAll') },
          ]}
        />
        <span style={{ flex: 1 }} />
        <Button size="small" type="link" disabled={count === 0} onClick={() => void readAll()} data-testid="notification-read-all">
          {tt('notificationsAllRead')}
        </Button>
      </div>
      {loading && !items ? (
        <Spin style={{ display: 'block', padding: 24 }} />
      ) : (
        <List<NotificationDto>
          size="small"
          style={{ maxHeight: 420, overflowY: 'auto' }}
          dataSource={items ?? []}
          locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={tt(unreadOnly ? 'notificationsEmpty' : 'notificationsNone')} /> }}
          renderItem={(n) => (
            <List.Item className={`lx-bell-item${n.readAt ? '' : ' unread'}`} onClick={() => void openOne(n)} data-testid={`notification-${n.id}`}>
              <div style={{ minWidth: 0, flex: 1 }}>
                <div className="lx-bell-title">{n.title}</div>
                {n.body ? <div style={{ color: '#595959', fontSize: 12, lineHeight: 1.6 }}>{n.body}</div> : null}
                <div className="lx-muted" style={{ fontSize: 12 }}>{formatTime(n.createdAt)}</div>
              </div>
            </List.Item>
          )}
        />
      )}
    </div>
  );

  return (
    <Popover content={content} title={tt('notifications')} trigger="click" open={open} onOpenChange={setOpen} placement="bottomRight" arrow={false}>
      <Button type="text" size="small" aria-label={tt('notifications')} data-testid="notification-bell" className="lx-bell">
        <Badge count={count} size="small" overflowCount={99} offset={[4, -2]}>
          <BellOutlined style={{ color: '#fff', fontSize: 16 }} />
        </Badge>
      </Button>
    </Popover>
  );
}
