import { CheckCircleFilled } from '@ant-design/icons';
import { Alert, Button, Card, Input, Radio, Result, Spin, Typography } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { useParams } from 'react-router-dom';
import type { PublicSurvey, SurveyAnswerValue, SurveyReceipt } from '../../../contracts/surveys.ts';
import { api, ApiError, fieldErrors } from '../api.ts';
import { BrandMark } from '../components/AppLayout.tsx';

// The respondent's page (/s/:token, no login), made for a phone: the place or unit the QR code
// was printed for, the cadre to rate (a target's link), the questions on the scale 满意 / 基本满意 /
// 不满意 with an optional comment, and the phone number (kept only as a keyed hash on the server).
// A random device id kept in this browser goes with the answer, for the inflation checks only.

const DEVICE_KEY = 'lx_survey_device';
function deviceId(): string | undefined {
  try {
    let id = localStorage.getItem(DEVICE_KEY);
    if (!id) {
      const bytes = crypto.getRandomValues(new Uint8Array(16));
      id = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
      localStorage.setItem(DEVICE_KEY, id);
    }
    return id;
  } catch {
    return undefined;
  }
}

const valueColor: Record<SurveyAnswerValue, string> = { satisfied: '#389e0d', basic: '#1f5fae', unsatisfied: '#cf1322' };

export default function PublicSurveyPage() {
  const { token = '' } = useParams<{ token: string }>();
  const [survey, setSurvey] = useState<PublicSurvey | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [subject, setSubject] = useState<string | undefined>();
  const [answers, setAnswers] = useState<Record<number, SurveyAnswerValue>>({});
  const [comments, setComments] = useState<Record<number, string>>({});
  const [phone, setPhone] = useState('');
  const [error, setError] = useState<{ message: string; fields: string[] } | null>(null);
  const [sending, setSending] = useState(false);
  const [receipt, setReceipt] = useState<SurveyReceipt | null>(null);

  useEffect(() => {
    document.title = '群众满意度评价 · 连心';
    api.get<PublicSurvey>(`/api/v1/public/surveys/${encodeURIComponent(token)}`, undefined, { quiet: true, noRedirect: true })
      .then((s) => {
        setSurvey(s);
        if (s.subjects.length === 1) setSubject(s.subjects[0]!.key);
      })
      .catch((e) => setLoadError(e instanceof ApiError ? e.message : '加载失败，请稍后重试'));
  }, [token]);

  const dimensions = useMemo(() => {
    const out: { dimension: string; questions: PublicSurvey['questions'] }[] = [];
    for (const q of survey?.questions ?? []) {
      const d = out.find((x) => x.dimension === q.dimension);
      if (d) d.questions.push(q);
      else out.push({ dimension: q.dimension, questions: [q] });
    }
    return out;
  }, [survey]);

  const submit = async () => {
    if (!survey) return;
    setError(null);
    setSending(true);
    try {
      const r = await api.post<SurveyReceipt>(`/api/v1/public/surveys/${encodeURIComponent(token)}/responses`, {
        phone: phone.trim(),
        deviceId: deviceId(),
        ...(subject ? { subject } : {}),
        answers: survey.questions.filter((q) => answers[q.id]).map((q) => ({
          questionId: q.id, value: answers[q.id], ...(q.allowComment && comments[q.id]?.trim() ? { comment: comments[q.id]!.trim() } : {}),
        })),
      }, { quiet: true, noRedirect: true });
      setReceipt(r);
    } catch (e) {
      setError({ message: e instanceof ApiError ? e.message : '提交失败，请稍后重试', fields: fieldErrors(e).map((f) => f.field) });
    } finally {
      setSending(false);
    }
  };

  const shell = (body: React.ReactNode) => (
    <div style={{ minHeight: '100vh', background: '#f2f3f5' }}>
      <header style={{ background: '#b7202e', color: '#fff', padding: '10px 16px', display: 'flex', alignItems: 'center', gap: 8 }}>
        <BrandMark size={24} />
        <span style={{ fontSize: 16, fontWeight: 600 }}>连心 · 群众满意度评价</span>
      </header>
      <main style={{ maxWidth: 560, margin: '0 auto', padding: 12 }}>{body}</main>
    </div>
  );

  if (loadError) return shell(<Result status="warning" title={loadError} />);
  if (!survey) return shell(<div style={{ textAlign: 'center', padding: 48 }}><Spin /></div>);
  if (receipt) {
    return shell(
      <Card data-testid="survey-done">
        <Result icon={<CheckCircleFilled style={{ color: '#389e0d' }} />} title="提交成功" subTitle={receipt.message} />
        <Typography.Paragraph type="secondary" style={{ textAlign: 'center' }}>已评价：{receipt.subjectName}（{receipt.answered} 项）。您的手机号仅用于防止重复评价，被评价方看不到您的任何信息。</Typography.Paragraph>
      </Card>,
    );
  }

  const chosen = survey.subjects.find((s) => s.key === subject);
  const bad = (f: string) => Boolean(error?.fields.some((x) => x === f || x.startsWith(`${f}.`)));
  return shell(
    <>
      <Card style={{ marginBottom: 12 }}>
        <Typography.Title level={4} style={{ marginTop: 0 }}>{survey.title}</Typography.Title>
        <Typography.Text type="secondary">{survey.periodLabel} · {survey.placeName}</Typography.Text>
        {survey.intro && <Typography.Paragraph style={{ marginTop: 8, marginBottom: 0 }}>{survey.intro}</Typography.Paragraph>}
      </Card>
      {!survey.open && <Alert type="warning" showIcon message={survey.closedReason} style={{ marginBottom: 12 }} />}

      {survey.kind === 'public_cadre' && (
        <Card title="请选择要评价的干部" size="small" style={{ marginBottom: 12 }}>
          {survey.subjects.length === 0 && <Typography.Text type="secondary">该处目前没有联系干部</Typography.Text>}
          <Radio.Group value={subject} onChange={(e) => setSubject(e.target.value)} style={{ display: 'flex', flexDirection: 'column', gap: 8 }}>
            {survey.subjects.map((s) => (
              <Radio key={s.key} value={s.key} style={{ padding: '6px 0' }} data-testid={`subject-${s.key}`}>
                <strong>{s.name}</strong> <Typography.Text type="secondary">{s.detail}</Typography.Text>
              </Radio>
            ))}
          </Radio.Group>
        </Card>
      )}

      {dimensions.map((d) => (
        <Card key={d.dimension} title={d.dimension} size="small" style={{ marginBottom: 12 }}>
          {d.questions.map((q) => (
            <div key={q.id} style={{ marginBottom: 16 }} data-testid={`question-${q.id}`}>
              <div style={{ marginBottom: 8 }}>
                {q.required && <span style={{ color: '#cf1322' }}>* </span>}
                {q.text}
              </div>
              <Radio.Group
                optionType="button" buttonStyle="solid" value={answers[q.id]} disabled={!survey.open}
                onChange={(e) => setAnswers({ ...answers, [q.id]: e.target.value as SurveyAnswerValue })}
                style={{ display: 'flex', width: '100%' }}
              >
                {survey.scale.map((s) => (
                  <Radio.Button key={s.value} value={s.value} style={{ flex: 1, textAlign: 'center', height: 40, lineHeight: '38px', ...(answers[q.id] === s.value ? { background: valueColor[s.value], borderColor: valueColor[s.value] } : {}) }}>
                    {s.label}
                  </Radio.Button>
                ))}
              </Radio.Group>
              {q.allowComment && (answers[q.id] === 'unsatisfied' || comments[q.id]) && (
                <Input.TextArea
                  style={{ marginTop: 8 }} rows={2} maxLength={500} showCount value={comments[q.id] ?? ''}
                  placeholder={answers[q.id] === 'unsatisfied' ? '请说说哪里不满意，我们将转交整改（选填）' : '意见建议（选填）'}
                  onChange={(e) => setComments({ ...comments, [q.id]: e.target.value })}
                />
              )}
            </div>
          ))}
        </Card>
      ))}

      <Card size="small" style={{ marginBottom: 12 }}>
        <div style={{ marginBottom: 8 }}><span style={{ color: '#cf1322' }}>* </span>手机号码</div>
        <Input
          size="large" inputMode="numeric" maxLength={11} placeholder="11位手机号码" value={phone} status={bad('phone') ? 'error' : undefined}
          onChange={(e) => setPhone(e.target.value.replace(/\D/g, ''))} data-testid="survey-phone"
        />
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>每人每期对同一对象只能评价一次。号码只以加密摘要保存，用于防止重复评价，不会显示给任何人。</Typography.Text>
      </Card>

      {error && <Alert type="error" showIcon message={error.message} style={{ marginBottom: 12 }} data-testid="survey-error" />}
      <Button
        type="primary" size="large" block loading={sending} onClick={submit} data-testid="survey-submit"
        disabled={!survey.open || (survey.kind === 'public_cadre' && !chosen)}
      >
        提交评价
      </Button>
      <div style={{ height: 24 }} />
    </>,
  );
}
