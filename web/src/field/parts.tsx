import { PictureOutlined } from '@ant-design/icons';
import { useEffect, useState } from 'react';

/** A photo kept on the phone, shown from its Blob (no network). HEIC the browser cannot draw shows an icon. */
export function BlobThumb({ blob, alt }: { blob: Blob; alt: string }) {
  const [url, setUrl] = useState<string | null>(null);
  const [broken, setBroken] = useState(false);
  useEffect(() => {
    const u = URL.createObjectURL(blob);
    setUrl(u);
    setBroken(false);
    return () => URL.revokeObjectURL(u);
  }, [blob]);
  if (!url || broken) {
    return (
      <span className="lxm-thumb lxm-thumb-none" title={alt}>
        <PictureOutlined />
      </span>
    );
  }
  return <img className="lxm-thumb" src={url} alt={alt} onError={() => setBroken(true)} />;
}
