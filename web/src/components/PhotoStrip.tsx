import { CameraOutlined, DeleteOutlined, FileImageOutlined, LoadingOutlined } from '@ant-design/icons';
import { App as AntApp, Button, Image, Tooltip, Upload } from 'antd';
import { useEffect, useRef, useState } from 'react';
import type { PhotoDto, PhotoRef } from '../../../contracts/photos.ts';
import { api, ApiError } from '../api.ts';
import { useI18n } from '../i18n.ts';
import { formatTime } from '../labels.ts';

// Photos of field work: thumbnails that open the originals (one preview group, so the arrows walk
// through the record's photos), and an uploader that stores each picture once (POST /photos) and
// hands back its id for the record.

// Shown when a thumbnail cannot be had (a format the server could not decode): a grey picture icon.
const FALLBACK =
  'data:image/svg+xml;utf8,' +
  encodeURIComponent('<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64"><rect width="64" height="64" fill="#f5f5f5"/><path d="M16 44l10-12 8 9 6-7 8 10z" fill="#bfbfbf"/><circle cx="24" cy="24" r="4" fill="#bfbfbf"/></svg>');

type Shown = Pick<PhotoRef, 'id' | 'url' | 'thumbUrl' | 'hasThumbnail' | 'takenAt'>;

/** A placeholder for a picture the server cannot shrink (HEIC): the original still opens. */
function NoThumb({ size, photo }: { size: number; photo: Shown }) {
  const { t } = useI18n();
  return (
    <a href={photo.url} target="_blank" rel="noreferrer" title={t('photoNoThumb')}>
      <span className="lx-photo-nothumb" style={{ width: size, height: size }}>
        <FileImageOutlined style={{ fontSize: size / 3 }} />
        <span style={{ fontSize: 11 }}>HEIC</span>
      </span>
    </a>
  );
}

export function PhotoStrip({ photos, size = 96, onRemove, testId }: { photos: Shown[]; size?: number; onRemove?: (id: number) => void; testId?: string }) {
  const { t } = useI18n();
  if (!photos.length) return <span className="lx-muted">{t('noPhotos')}</span>;
  return (
    <div className="lx-photo-strip" data-testid={testId}>
      <Image.PreviewGroup>
        {photos.map((p) => (
          <div key={p.id} className="lx-photo" style={{ width: size }}>
            {p.hasThumbnail && p.thumbUrl ? (
              <Image
                src={p.thumbUrl}
                width={size}
                height={size}
                style={{ objectFit: 'cover', borderRadius: 4 }}
                preview={{ src: p.url }}
                fallback={FALLBACK}
                alt={t('photoAlt', { id: p.id })}
              />
            ) : (
              <NoThumb size={size} photo={p} />
            )}
            {p.takenAt ? (
              <Tooltip title={t('photoTakenAt')}>
                <div className="lx-photo-caption">{formatTime(p.takenAt)}</div>
              </Tooltip>
            ) : null}
            {onRemove ? (
              <Button
                className="lx-photo-remove"
                size="small"
                shape="circle"
                danger
                icon={<DeleteOutlined />}
                onClick={() => onRemove(p.id)}
                aria-label={t('remove')}
              />
            ) : null}
          </div>
        ))}
      </Image.PreviewGroup>
    </div>
  );
}

/** The first photo of a list row, small, or a count when there is none to show. */
export function PhotoThumb({ photo, count }: { photo: Shown | null | undefined; count: number }) {
  if (!count) return <span className="lx-muted">—</span>;
  return (
    <span style={{ display: 'inline-flex', alignItems: 'center', gap: 6 }}>
      {photo?.hasThumbnail && photo.thumbUrl ? (
        <Image src={photo.thumbUrl} width={36} height={36} style={{ objectFit: 'cover', borderRadius: 3 }} preview={{ src: photo.url }} fallback={FALLBACK} />
      ) : (
        <CameraOutlined style={{ color: '#8c8c8c' }} />
      )}
      <span>{count}</span>
    </span>
  );
}

const ACCEPT = 'image/jpeg,image/png,image/heic,.heic,.jpg,.jpeg,.png';

/**
 * Upload photos for a record being written: each file goes to POST /photos at once, the record
 * later refers to them by id. The same picture uploaded twice comes back as the same photo.
 */
export function PhotoUploader({ value, onChange, max = 30 }: { value: PhotoRef[]; onChange: (next: PhotoRef[]) => void; max?: number }) {
  const { t } = useI18n();
  const { message } = AntApp.useApp();
  const [busy, setBusy] = useState(0);
  // Several files finish in any order: apply each to the newest list, not the one it started with.
  const latest = useRef(value);
  useEffect(() => {
    latest.current = value;
  }, [value]);

  const upload = async (file: File) => {
    const form = new FormData();
    form.append('file', file);
    setBusy((n) => n + 1);
    try {
      const p = await api.upload<PhotoDto>('/api/v1/photos', form, { quiet: true });
      const ref: PhotoRef = { id: p.id, url: p.url, thumbUrl: p.thumbUrl, hasThumbnail: p.hasThumbnail, takenAt: p.takenAt };
      onChangeLatest((list) => (list.some((x) => x.id === ref.id) ? list : [...list, ref]));
    } catch (e) {
      if (e instanceof ApiError && e.status !== 401) void message.error(`${file.name}：${e.message}`);
    } finally {
      setBusy((n) => n - 1);
    }
  };

  const onChangeLatest = (f: (list: PhotoRef[]) => PhotoRef[]) => {
    latest.current = f(latest.current);
    onChange(latest.current);
  };

  return (
    <div>
      {value.length ? <PhotoStrip photos={value} size={84} onRemove={(id) => onChange(value.filter((p) => p.id !== id))} /> : null}
      <Upload
        accept={ACCEPT}
        multiple
        showUploadList={false}
        disabled={value.length >= max}
        beforeUpload={(file) => {
          void upload(file);
          return false;
        }}
      >
        <Button icon={busy ? <LoadingOutlined /> : <CameraOutlined />} style={{ marginTop: value.length ? 8 : 0 }} disabled={value.length >= max} data-testid="photo-upload">
          {busy ? t('photoUploading', { n: busy }) : t('photoAdd')}
        </Button>
      </Upload>
      <div className="lx-muted" style={{ fontSize: 12, marginTop: 4 }}>
        {t('photoHint', { max })}
      </div>
    </div>
  );
}
