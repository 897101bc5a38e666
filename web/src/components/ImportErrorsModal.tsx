import { Alert, Button, Modal, Table } from 'antd';
import type { RowError } from '../../../contracts/common.ts';
import { useI18n } from '../i18n.ts';

/** A rejected Excel import, as the server explained it: one row per problem found. */
export type ImportRejection<E extends RowError> = { message: string; errors: E[] };

/**
 * Lists why an Excel import was rejected. `sheet` adds the worksheet column
 * (for workbooks with several sheets) and gives the field column more room.
 */
export function ImportErrorsModal<E extends RowError & { sheet?: string }>({
  rejected,
  onClose,
  width,
  sheet = false,
}: {
  rejected: ImportRejection<E> | null;
  onClose: () => void;
  width: number;
  sheet?: boolean;
}) {
  const { t } = useI18n();
  return (
    <Modal
      open={!!rejected}
      title={t('importRejectedTitle')}
      onCancel={onClose}
      footer={
        <Button type="primary" onClick={onClose}>
          {t('close')}
        </Button>
      }
      width={width}
    >
      {rejected ? (
        <>
          <Alert type="error" showIcon title={rejected.message} description={t('importRejectedText')} style={{ marginBottom: 12 }} />
          <Table<E & { key: number }>
            data-testid="import-errors"
            size="small"
            bordered
            dataSource={rejected.errors.map((e, i) => ({ ...e, key: i }))}
            pagination={rejected.errors.length > 10 ? { pageSize: 10, size: 'small', showSizeChanger: false } : false}
            columns={[
              ...(sheet ? [{ title: t('importSheet'), dataIndex: 'sheet', width: 100 }] : []),
              { title: t('importRow'), dataIndex: 'row', width: 70, align: 'right' as const },
              { title: t('importField'), dataIndex: 'field', width: sheet ? 140 : 120 },
              { title: t('importMessage'), dataIndex: 'message' },
            ]}
          />
        </>
      ) : null}
    </Modal>
  );
}
