import dayjs from 'dayjs';
import { useEffect, useMemo, useState, type CSSProperties, type ReactNode } from 'react';
import type { DashboardResult, FigureKey } from '../../../contracts/statistics.ts';
import { BrandMark } from '../components/AppLayout.tsx';
import { useCampaignParam } from '../components/CampaignSelect.tsx';
import {
  ChildrenBars, figureName, figureOf, figureParts, presetPeriod, ragHexesDark, ragRule, ragWords, TrendLines, useDashboard,
} from '../components/dashboardCommon.tsx';
import { useI18n } from '../i18n.ts';
import './BigScreen.css';

// 大屏: the dashboard for the office wall, designed for exactly 1920×1080 (scaled to fit other
// screens): dark, large type, the campaign's name as title, a clock, the same figures as 驾驶舱,
// refreshed every 60 s. Clicking a region drills down as on the dashboard; 返回上级 climbs back.

const REFRESH_MS = 60_000;
const W = 1920;
const H = 1080;
const trendFigures: FigureKey[] = ['householdsVisited', 'stayDays', 'forums', 'problemsSolved'];
const weekdays = ['日', '一', '二', '三', '四', '五', '六'];

function useClock() {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const t = setInterval(() => setNow(new Date()), 1000);
    return () => clearInterval(t);
  }, []);
  return now;
}

/** Scale the 1920×1080 canvas to the window, keeping its proportions. */
function useFit() {
  const [scale, setScale] = useState(1);
  useEffect(() => {
    const fit = () => setScale(Math.min(window.innerWidth / W, window.innerHeight / H));
    fit();
    window.addEventListener('resize', fit);
    return () => window.removeEventListener('resize', fit);
  }, []);
  return scale;
}

function Panel({ title, children, style, extra }: { title: string; children: ReactNode; style?: CSSProperties; extra?: ReactNode }) {
  return (
    <section className="bs-panel" style={style}>
      <header className="bs-panel-title">
        <span>{title}</span>
        {extra}
      </header>
      <div className="bs-panel-body">{children}</div>
    </section>
  );
}

export default function BigScreenPage() {
  const { lang } = useI18n();
  const { id: campaignId, campaign, params, setParams } = useCampaignParam();
  const region = params.get('region') ?? undefined;
  const fallback = presetPeriod('year');
  const from = params.get('from') ?? fallback.from;
  const to = params.get('to') ?? fallback.to;
  const query = useMemo(() => (campaignId ? { campaignId, regionCode: region, from, to } : null), [campaignId, region, from, to]);
  const { data, error } = useDashboard(query, REFRESH_MS);
  const now = useClock();
  const scale = useFit();
  const [trail, setTrail] = useState<string[]>([]);

  const drill = (code: string) => {
    if (!data || !data.children.some((c) => c.code === code)) return;
    setTrail((t) => [...t, region ?? '']);
    setParams((p) => {
      const next = new URLSearchParams(p);
      next.set('region', code);
      return next;
    });
  };
  const up = () => {
    const last = trail.at(-1);
    setTrail((t) => t.slice(0, -1));
    setParams((p) => {
      const next = new URLSearchParams(p);
      if (last) next.set('region', last);
      else next.delete('region');
      return next;
    });
  };

  useEffect(() => {
    document.title = `${campaign?.name ?? '连心'} · 大屏`;
  }, [campaign?.name]);

  const place = data?.scope.region?.name ?? campaign?.regionName ?? '';
  return (
    <div className="bs-viewport">
      <div className="bs-canvas" style={{ width: W, height: H, transform: `scale(${scale})` }} data-testid="bigscreen">
        <header className="bs-header">
          <div className="bs-brand">
            <BrandMark size={56} />
            <div>
              <div className="bs-brand-name">连心</div>
              <div className="bs-brand-sub">干部下基层 · 驾驶舱</div>
            </div>
          </div>
          <div className="bs-title">
            <h1 data-testid="bigscreen-title">{campaign?.name ?? '连心驾驶舱'}</h1>
            <div className="bs-subtitle">
              {place}
              {trail.length ? <a className="bs-up" onClick={up} data-testid="bigscreen-up">‹ 返回上级</a> : null}
              <span className="bs-period">统计期 {from} 至 {to}</span>
            </div>
          </div>
          <div className="bs-clock" data-testid="bigscreen-clock">
            <div className="bs-time">{dayjs(now).format('HH:mm:ss')}</div>
            <div className="bs-date">{dayjs(now).format('YYYY年M月D日')} 星期{weekdays[now.getDay()]}</div>
          </div>
        </header>

        {error && !data ? <div className="bs-error">{error}</div> : null}
        {data ? <Body data={data} lang={lang} onPick={drill} /> : !error ? <div className="bs-loading">正在加载…</div> : null}

        <footer className="bs-footer">
          <span>{ragRule.zh}</span>
          <span>{data ? `数据更新于 ${dayjs(data.computedAt).format('HH:mm:ss')} · 每60秒自动刷新` : ''}</span>
        </footer>
      </div>
    </div>
  );
}

function Body({ data, lang, onPick }: { data: DashboardResult; lang: 'zh' | 'en'; onPick: (code: string) => void }) {
  const counts = { red: 0, amber: 0, green: 0 };
  for (const c of data.children) counts[c.rag] += 1;
  return (
    <main className="bs-grid">
      <Panel title="核心指标" style={{ gridArea: 'figures' }}>
        <div className="bs-figures" data-testid="bigscreen-figures">
          {data.figures.map((f) => {
            const p = figureParts(f, lang);
            return (
              <div className="bs-figure" key={f.key} data-testid={`bigscreen-figure-${f.key}`}>
                <div className="bs-figure-name">{figureName(f.key, lang)}</div>
                <div className="bs-figure-value">
                  <span className="bs-number">{p.number}</span>
                  <span className="bs-unit">{p.unit}</span>
                </div>
              </div>
            );
          })}
        </div>
      </Panel>

      <Panel
        title={`下级区划 · ${figureName('householdsVisited', lang)}`}
        style={{ gridArea: 'children' }}
        extra={
          <span className="bs-rag-legend">
            {(['red', 'amber', 'green'] as const).map((r) => (
              <span key={r}><i style={{ background: ragHexesDark[r] }} />{ragWords[r].zh} {counts[r]}</span>
            ))}
          </span>
        }
      >
        {data.children.length ? (
          <ChildrenBars children={data.children} figure="householdsVisited" lang={lang} theme="dark" height="100%" fontSize={16} onPick={onPick} testId="bigscreen-children-chart" />
        ) : <div className="bs-empty">本级没有下级区划</div>}
      </Panel>

      <Panel title={`工作趋势（${data.trend.granularity === 'month' ? '按月' : '按日'}）`} style={{ gridArea: 'trend' }}>
        <TrendLines trend={data.trend} figures={trendFigures} lang={lang} theme="dark" height="100%" fontSize={16} />
      </Panel>

      <Panel title="区划排名 · 履职达标率" style={{ gridArea: 'rank' }}>
        <ol className="bs-ranking" data-testid="bigscreen-ranking">
          {data.rankings.regions.slice(0, 6).map((r) => (
            <li key={r.code}>
              <span className={`bs-rank bs-rank-${Math.min(r.rank, 4)}`}>{r.rank}</span>
              <span className="bs-rank-name">{r.name}</span>
              <span className="bs-rank-bar"><i style={{ width: `${Math.max(2, Math.min(100, r.score))}%` }} /></span>
              <span className="bs-rank-score">{r.score.toFixed(1)}%</span>
            </li>
          ))}
          {data.rankings.regions.length === 0 ? <li className="bs-empty">暂无已判定的履职要求</li> : null}
        </ol>
      </Panel>

      <Panel title={`预警提示（${data.warnings.length}）`} style={{ gridArea: 'warnings' }}>
        <ul className="bs-warnings" data-testid="bigscreen-warnings">
          {data.warnings.slice(0, 6).map((w, i) => (
            <li key={i}>
              <span className="bs-warn-tag" style={{ background: ragHexesDark[w.level] }}>{ragWords[w.level].zh}</span>
              <span className="bs-warn-subject">{w.subject}</span>
              <span className="bs-warn-message">{w.message}</span>
            </li>
          ))}
          {data.warnings.length === 0 ? <li className="bs-empty">没有预警</li> : null}
        </ul>
      </Panel>

      <Panel title={`${figureName('complianceRate', lang)} · ${figureName('onTimeRate', lang)} · ${figureName('satisfactionRate', lang)}`} style={{ gridArea: 'rates' }}>
        <div className="bs-rates">
          {(['complianceRate', 'onTimeRate', 'satisfactionRate'] as const).map((k) => {
            const f = figureOf(data.figures, k);
            const v = f?.value ?? null;
            // The stated thresholds colour the two rates the RAG rule uses; satisfaction is shown plain.
            const amber = k === 'complianceRate' ? 0.7 : 0.8;
            const color = v === null ? '#5b6b85' : k === 'satisfactionRate' ? '#69b1ff' : v >= 0.9 ? ragHexesDark.green : v >= amber ? ragHexesDark.amber : ragHexesDark.red;
            return (
              <div key={k} className="bs-rate">
                <div className="bs-ring" style={{ background: `conic-gradient(${color} ${(v ?? 0) * 360}deg, rgba(255,255,255,0.08) 0deg)` }}>
                  <div className="bs-ring-inner">{v === null ? '—' : `${(v * 100).toFixed(1)}%`}</div>
                </div>
                <div className="bs-rate-name">{figureName(k, lang)}</div>
              </div>
            );
          })}
        </div>
      </Panel>
    </main>
  );
}
