// Geometry of the report's horizontal bar chart (one bar per row, 0-100 %), computed here so the SVG template only
// places numbers: no markup is built in code. Hand-written rather than a charting library: one chart type, a few
// rectangles, and the PDF needs no script to draw it.
export const CHART = { width: 640, labelWidth: 150, barHeight: 16, gap: 8, valueWidth: 70 } as const;

export interface Bar {
  label: string;
  y: number;
  /** The met part's width; the rest of the bar (barWidth - metWidth) is breached. */
  metWidth: number;
  valueText: string;
}

export interface BarChart {
  width: number;
  height: number;
  barX: number;
  barWidth: number;
  barHeight: number;
  valueX: number;
  bars: Bar[];
}

export function barChart(items: readonly { label: string; percent: number; valueText: string }[]): BarChart {
  const barWidth = CHART.width - CHART.labelWidth - CHART.valueWidth;
  const step = CHART.barHeight + CHART.gap;
  return {
    width: CHART.width,
    height: Math.max(step * items.length, step),
    barX: CHART.labelWidth,
    barWidth,
    barHeight: CHART.barHeight,
    valueX: CHART.labelWidth + barWidth + 6,
    bars: items.map((item, i) => ({
      label: item.label,
      y: i * step,
      metWidth: Math.round((Math.min(100, Math.max(0, item.percent)) / 100) * barWidth * 10) / 10,
      valueText: item.valueText,
    })),
  };
}
