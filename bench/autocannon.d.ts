// The little of autocannon's API the activity benchmark uses (the package ships no types).
declare module 'autocannon' {
  export type Histogram = { average: number; mean: number; stddev: number; min: number; max: number; p50: number; p90: number; p99: number; p99_9: number };
  export type Result = {
    requests: Histogram & { total: number; sent: number };
    latency: Histogram;
    throughput: Histogram;
    errors: number;
    timeouts: number;
    non2xx: number;
    duration: number;
    statusCodeStats: Record<string, { count: number }>;
  };
  export type Client = { setHeaders(h: Record<string, string>): void; setBody(b: string | Buffer): void };
  export type Options = {
    url: string;
    method?: string;
    connections?: number;
    duration?: number;
    pipelining?: number;
    headers?: Record<string, string>;
    body?: string;
    setupClient?: (client: Client) => void;
  };
  export default function autocannon(opts: Options): Promise<Result>;
}
