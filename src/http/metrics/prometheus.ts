// Prometheus text exposition format 0.0.4, written by hand: counters, gauges and fixed-bucket histograms, and the
// plain-data snapshot that carries them between cluster workers.
// @see https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export type MetricType = 'counter' | 'gauge' | 'histogram';

/** One series as plain data: `labels` is the rendered label set (`{a="1",b="2"}` or ''). */
export interface Sample {
  readonly labels: string;
  readonly value: number;
  /** Histograms: cumulative counts per upper bound (the last is +Inf, so it equals the count). */
  readonly buckets?: readonly number[];
  readonly sum?: number;
}

export interface FamilySnapshot {
  readonly name: string;
  readonly help: string;
  readonly type: MetricType;
  /** Histograms: the finite upper bounds, in seconds or whatever unit the name says. */
  readonly bounds?: readonly number[];
  readonly samples: readonly Sample[];
}

/** Label values are escaped per the format: backslash, double quote and line feed. */
function escapeLabelValue(value: string): string {
  return /[\\"\n]/.test(value) ? value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n') : value;
}

/** `{a="1",b="2"}`, skipping undefined values; '' when none remain. */
export function renderLabels(labels: Readonly<Record<string, string | undefined>>): string {
  const parts: string[] = [];
  for (const [name, value] of Object.entries(labels)) if (value !== undefined) parts.push(`${name}="${escapeLabelValue(value)}"`);
  return parts.length === 0 ? '' : `{${parts.join(',')}}`;
}

/** Adds one label in front of a rendered label set. */
export function withLabel(labels: string, name: string, value: string): string {
  const label = `${name}="${escapeLabelValue(value)}"`;
  return labels === '' ? `{${label}}` : `{${label},${labels.slice(1)}`;
}

export class Counter {
  value = 0;
}

/** Non-cumulative counts per bucket while observing (one increment); cumulated when collected. */
export class Histogram {
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(private readonly bounds: readonly number[]) {
    this.counts = new Float64Array(bounds.length + 1);
  }

  observe(value: number): void {
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && value > (bounds[i] as number)) i++;
    (this.counts[i] as number)++;
    this.sum += value;
    this.count++;
  }

  cumulative(): number[] {
    const buckets: number[] = [];
    let running = 0;
    for (const count of this.counts) buckets.push((running += count));
    return buckets;
  }
}

interface CounterFamily {
  readonly type: 'counter';
  readonly series: Map<string, Counter>;
}
interface HistogramFamily {
  readonly type: 'histogram';
  readonly bounds: readonly number[];
  readonly series: Map<string, Histogram>;
}
interface GaugeFamily {
  readonly type: 'gauge' | 'counter';
  readonly collect: () => readonly (readonly [labels: string, value: number])[];
}
type Family = (CounterFamily | HistogramFamily | GaugeFamily) & { readonly name: string; readonly help: string };

/**
 * The metric families of one process. Hot paths hold on to the Counter or Histogram a label set resolves to and
 * increment it; nothing is allocated per observation.
 */
export class Registry {
  private readonly families: Family[] = [];

  private add<F extends Family>(family: F): F {
    if (this.families.some((known) => known.name === family.name)) throw new Error(`metric ${family.name} is defined twice`);
    this.families.push(family);
    return family;
  }

  /** A counter family; `series(labels)` resolves (and creates once) one label set's counter. */
  counter(name: string, help: string): (labels?: Readonly<Record<string, string | undefined>>) => Counter {
    const family = this.add({ name, help, type: 'counter', series: new Map<string, Counter>() });
    return (labels = {}) => {
      const key = renderLabels(labels);
      let counter = family.series.get(key);
      if (counter === undefined) family.series.set(key, (counter = new Counter()));
      return counter;
    };
  }

  histogram(name: string, help: string, bounds: readonly number[]): (labels?: Readonly<Record<string, string | undefined>>) => Histogram {
    const family = this.add({ name, help, type: 'histogram', bounds, series: new Map<string, Histogram>() });
    return (labels = {}) => {
      const key = renderLabels(labels);
      let histogram = family.series.get(key);
      if (histogram === undefined) family.series.set(key, (histogram = new Histogram(bounds)));
      return histogram;
    };
  }

  /** A value read when collected (gauges; counters kept elsewhere, such as the process's CPU time). */
  collected(name: string, help: string, type: 'gauge' | 'counter', collect: GaugeFamily['collect']): void {
    this.add({ name, help, type, collect });
  }

  collect(): FamilySnapshot[] {
    return this.families.map((family): FamilySnapshot => {
      const { name, help } = family;
      if ('collect' in family) return { name, help, type: family.type, samples: family.collect().map(([labels, value]) => ({ labels, value })) };
      if (family.type === 'counter') return { name, help, type: 'counter', samples: [...family.series].map(([labels, counter]) => ({ labels, value: counter.value })) };
      const samples = [...family.series].map(([labels, histogram]) => ({ labels, value: histogram.count, buckets: histogram.cumulative(), sum: histogram.sum }));
      return { name, help, type: 'histogram', bounds: family.bounds, samples };
    });
  }
}

function formatNumber(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

/** The text format: HELP and TYPE, then one line per sample; histograms as _bucket (cumulative, le), _sum, _count. */
export function renderExposition(families: readonly FamilySnapshot[]): string {
  const lines: string[] = [];
  for (const family of families) {
    lines.push(`# HELP ${family.name} ${family.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`, `# TYPE ${family.name} ${family.type}`);
    for (const sample of family.samples) {
      if (family.type !== 'histogram') {
        lines.push(`${family.name}${sample.labels} ${formatNumber(sample.value)}`);
        continue;
      }
      const bounds = family.bounds ?? [];
      const buckets = sample.buckets ?? [];
      buckets.forEach((count, i) => {
        const le = i < bounds.length ? formatNumber(bounds[i] as number) : '+Inf';
        lines.push(`${family.name}_bucket${withLabelLast(sample.labels, le)} ${formatNumber(count)}`);
      });
      lines.push(`${family.name}_sum${sample.labels} ${formatNumber(sample.sum ?? 0)}`, `${family.name}_count${sample.labels} ${formatNumber(sample.value)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

function withLabelLast(labels: string, le: string): string {
  return labels === '' ? `{le="${le}"}` : `${labels.slice(0, -1)},le="${le}"}`;
}

/**
 * Merges several processes' snapshots into one: counters and histograms are summed per label set (the total the
 * cluster served); gauges are a per-process state, so each keeps its own series under a `worker` label.
 */
export function mergeSnapshots(perWorker: readonly { readonly worker: string; readonly families: readonly FamilySnapshot[] }[]): FamilySnapshot[] {
  const merged = new Map<string, { family: FamilySnapshot; samples: Map<string, { value: number; sum: number; buckets: number[] | undefined }> }>();
  for (const { worker, families } of perWorker) {
    for (const family of families) {
      let entry = merged.get(family.name);
      if (entry === undefined) merged.set(family.name, (entry = { family, samples: new Map() }));
      for (const sample of family.samples) {
        const labels = family.type === 'gauge' ? withLabel(sample.labels, 'worker', worker) : sample.labels;
        const known = entry.samples.get(labels);
        if (known === undefined) {
          entry.samples.set(labels, { value: sample.value, sum: sample.sum ?? 0, buckets: sample.buckets?.slice() });
          continue;
        }
        known.value += sample.value;
        known.sum += sample.sum ?? 0;
        sample.buckets?.forEach((count, i) => {
          if (known.buckets !== undefined) known.buckets[i] = (known.buckets[i] ?? 0) + count;
        });
      }
    }
  }
  return [...merged.values()].map(({ family, samples }) => ({
    ...family,
    samples: [...samples].map(([labels, { value, sum, buckets }]) => ({ labels, value, ...(buckets !== undefined && { buckets, sum }) })),
  }));
}
