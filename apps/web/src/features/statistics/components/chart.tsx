import { Center, Loader } from '@mantine/core';
import type { EChartsCoreOption, EChartsType } from 'echarts/core';
import { useEffect, useRef, useState } from 'react';
import { ErrorAlert } from '../../../components/error-alert.tsx';

/**
 * An ECharts chart (SVG renderer), loaded on first use so the main bundle stays small. It is one image to
 * assistive technology (`label`); the caller puts a table of the same numbers beside it.
 */
export function Chart({ option, height = 320, label, testId }: { option: EChartsCoreOption; height?: number; label: string; testId: string }) {
  const element = useRef<HTMLDivElement>(null);
  const chart = useRef<EChartsType | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    let disposed = false;
    let observer: ResizeObserver | null = null;
    import('./echarts-setup.ts')
      .then(({ init }) => {
        if (disposed || !element.current) return;
        chart.current = init(element.current, null, { renderer: 'svg' });
        observer = new ResizeObserver(() => chart.current?.resize());
        observer.observe(element.current);
        setLoading(false);
      })
      .catch((caught: unknown) => setError(caught));
    return () => {
      disposed = true;
      observer?.disconnect();
      chart.current?.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    if (!loading) chart.current?.setOption({ animation: false, ...option }, { notMerge: true });
  }, [loading, option]);

  if (error !== null) return <ErrorAlert error={error} />;
  return (
    <div role="img" aria-label={label} data-testid={testId} style={{ position: 'relative', width: '100%', height }}>
      <div ref={element} style={{ width: '100%', height: '100%' }} />
      {loading && (
        <Center pos="absolute" inset={0}>
          <Loader size="sm" />
        </Center>
      )}
    </div>
  );
}
