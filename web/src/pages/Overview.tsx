import { ApartmentOutlined, BankOutlined, HomeOutlined, TeamOutlined } from '@ant-design/icons';
import { Button, Card, Col, Descriptions, Empty, Row, Skeleton, Statistic } from 'antd';
import { BarChart } from 'echarts/charts';
import { GridComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { useNavigate } from 'react-router-dom';
import { cadreRankLabels, cadreRanks, type CadreRank } from '../../../contracts/cadres.ts';
import { api, type Page } from '../api.ts';
import { useMe } from '../auth.tsx';
import { PageTitle } from '../components/Status.tsx';
import { useI18n } from '../i18n.ts';
import { roleLabel } from '../labels.ts';

echarts.use([BarChart, GridComponent, TooltipComponent, CanvasRenderer]);

type Counts = { townships: number; villages: number; units: number; cadres: number };

const total = async (path: string, query: Record<string, string | number>) =>
  (await api.get<Page<unknown>>(path, { ...query, pageSize: 1 })).total;

export default function OverviewPage() {
  const me = useMe();
  const { t, lang } = useI18n();
  const navigate = useNavigate();
  const [counts, setCounts] = useState<Counts | null>(null);
  const [byRank, setByRank] = useState<Record<CadreRank, number> | null>(null);

  useEffect(() => {
    let cancelled = false;
    Promise.all([
      total('/api/v1/regions', { level: 'township' }),
      total('/api/v1/regions', { level: 'village' }),
      total('/api/v1/units', {}),
      total('/api/v1/cadres', {}),
    ])
      .then(([townships, villages, units, cadres]) => {
        if (!cancelled) setCounts({ townships, villages, units, cadres });
      })
      .catch(() => undefined);
    Promise.all(cadreRanks.map((rank) => total('/api/v1/cadres', { rank })))
      .then((values) => {
        if (cancelled) return;
        setByRank(Object.fromEntries(cadreRanks.map((r, i) => [r, values[i] ?? 0])) as Record<CadreRank, number>);
      })
      .catch(() => undefined);
    return () => {
      cancelled = true;
    };
  }, []);

  const scope = [me.regionName, me.unitName].filter(Boolean).join(' · ') || t('scopeAll');
  const stats: { key: keyof Counts; title: string; icon: ReactNode; suffix: string; to: string; color: string }[] = [
    { key: 'townships', title: t('statTownships'), icon: <ApartmentOutlined />, suffix: t('unitGe'), to: '/regions', color: '#b7202e' },
    { key: 'villages', title: t('statVillages'), icon: <HomeOutlined />, suffix: t('unitGe'), to: '/regions', color: '#d46b08' },
    { key: 'units', title: t('statUnits'), icon: <BankOutlined />, suffix: t('unitGe'), to: '/units', color: '#1f5fae' },
    { key: 'cadres', title: t('statCadres'), icon: <TeamOutlined />, suffix: t('unitPerson'), to: '/cadres', color: '#389e0d' },
  ];

  return (
    <div>
      <PageTitle title={t('overviewTitle')} extra={<span className="lx-muted">{t('scopeLine', { scope })}</span>} />
      <Row gutter={[16, 16]}>
        {stats.map((s) => (
          <Col key={s.key} xs={24} sm={12} xl={6}>
            <Card hoverable onClick={() => navigate(s.to)} data-testid={`stat-${s.key}`}>
              <Statistic
                title={
                  <span>
                    <span style={{ color: s.color, marginInlineEnd: 6 }}>{s.icon}</span>
                    {s.title}
                  </span>
                }
                value={counts ? counts[s.key] : 0}
                loading={!counts}
                suffix={s.suffix}
                groupSeparator=","
              />
            </Card>
          </Col>
        ))}
        <Col xs={24} xl={12}>
          <Card title={t('cadresByRank')} size="small">
            {byRank ? (
              Object.values(byRank).some((n) => n > 0) ? (
                <RankChart
                  labels={cadreRanks.map((r) => cadreRankLabels[r][lang])}
                  values={cadreRanks.map((r) => byRank[r])}
                  seriesName={t('chartPersons')}
                />
              ) : (
                <Empty description={t('noData')} />
              )
            ) : (
              <Skeleton active paragraph={{ rows: 6 }} />
            )}
          </Card>
        </Col>
        <Col xs={24} xl={12}>
          <Card title={t('accountCard')} size="small">
            <Descriptions
              column={1}
              size="small"
              items={[
                { key: 'name', label: t('displayName'), children: me.displayName },
                { key: 'user', label: t('username'), children: me.username },
                { key: 'role', label: t('role'), children: roleLabel(me.role, lang) },
                { key: 'scope', label: t('scope'), children: scope },
              ]}
            />
            <div style={{ marginTop: 16, display: 'flex', gap: 8, flexWrap: 'wrap' }}>
              <Button icon={<TeamOutlined />} onClick={() => navigate('/cadres')}>
                {t('cadresTitle')}
              </Button>
              <Button icon={<BankOutlined />} onClick={() => navigate('/units')}>
                {t('unitsTitle')}
              </Button>
              <Button icon={<ApartmentOutlined />} onClick={() => navigate('/regions')}>
                {t('regionTree')}
              </Button>
            </div>
          </Card>
        </Col>
      </Row>
    </div>
  );
}

function RankChart({ labels, values, seriesName }: { labels: string[]; values: number[]; seriesName: string }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!ref.current) return;
    const chart = echarts.init(ref.current);
    chart.setOption({
      grid: { left: 48, right: 16, top: 24, bottom: 32 },
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      xAxis: { type: 'category', data: labels, axisTick: { alignWithLabel: true } },
      yAxis: { type: 'value', minInterval: 1 },
      series: [
        {
          name: seriesName,
          type: 'bar',
          data: values,
          barMaxWidth: 40,
          itemStyle: { color: '#b7202e', borderRadius: [3, 3, 0, 0] },
          label: { show: true, position: 'top', color: '#595959' },
        },
      ],
    });
    const onResize = () => chart.resize();
    const observer = new ResizeObserver(onResize);
    observer.observe(ref.current);
    return () => {
      observer.disconnect();
      chart.dispose();
    };
  }, [JSON.stringify([labels, values, seriesName])]);
  return <div ref={ref} style={{ height: 280, width: '100%' }} data-testid="rank-chart" />;
}
