import { BarChartOutlined } from '@ant-design/icons';
import { Alert, Button, Empty } from 'antd';
import { useNavigate } from 'react-router-dom';
import { can, useMe } from '../auth.tsx';
import { CampaignSelect, useCampaignParam } from '../components/CampaignSelect.tsx';
import { useComplianceText } from '../components/complianceText.ts';
import { RequirementRulesCard } from '../components/RequirementRuleEditor.tsx';
import { PageSpin, PageTitle } from '../components/Status.tsx';

// 履职要求: the requirement rules of a campaign, composed by the office (requirement.configure);
// others see them read-only. The campaign comes from the address (?campaign=).
export default function RequirementRulesPage() {
  const { tc } = useComplianceText();
  const me = useMe();
  const navigate = useNavigate();
  const { id, campaign, none, select } = useCampaignParam();
  return (
    <div>
      <PageTitle
        title={tc('rulesTitle')}
        extra={
          <div style={{ display: 'flex', gap: 8, flexWrap: 'wrap' }}>
            <CampaignSelect value={id} onChange={(v) => select(v)} style={{ width: 280 }} />
            {id ? (
              <Button icon={<BarChartOutlined />} onClick={() => navigate(`/compliance?campaign=${id}`)}>
                {tc('cpTitle')}
              </Button>
            ) : null}
          </div>
        }
      />
      <Alert type="info" showIcon style={{ marginBottom: 12 }} title={tc('rulesIntro')} />
      {none ? (
        <Empty description={tc('rulesNoCampaign')} />
      ) : campaign ? (
        <RequirementRulesCard key={campaign.id} campaign={campaign} editable={can(me, 'requirement.configure') && campaign.editable} title={campaign.name} />
      ) : (
        <PageSpin />
      )}
    </div>
  );
}
