/** A grouped bar chart (Chart.js, on a canvas): one group per label, one bar per series (run). */
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip } from 'chart.js';
import { useEffect, useRef } from 'react';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip);

const PALETTE = ['#2f7bd8', '#e07b28', '#2e9d5b', '#8e5cc4', '#d64545', '#26a6a6', '#b8860b', '#5f6b7a', '#c2185b', '#00897b', '#6d4c41', '#3949ab'];

export interface Series {
  label: string;
  values: Array<number | null>;
}

export function BarChart({ labels, series, testId, yTitle }: { labels: string[]; series: Series[]; testId?: string; yTitle?: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (!canvas.current) return;
    const chart = new Chart(canvas.current, {
      type: 'bar',
      data: { labels, datasets: series.map((s, i) => ({ label: s.label, data: s.values, backgroundColor: PALETTE[i % PALETTE.length] })) },
      options: {
        animation: false, responsive: true, maintainAspectRatio: false,
        plugins: { legend: { position: 'bottom' } },
        scales: { y: { beginAtZero: false, title: { display: !!yTitle, text: yTitle } } },
      },
    });
    return () => chart.destroy();
  }, [labels, series, yTitle]);
  return <div className="chart-box" data-testid={testId}><canvas ref={canvas} /></div>;
}
