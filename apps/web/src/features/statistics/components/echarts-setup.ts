// Loaded on demand by <Chart>: only the parts of ECharts the statistics page draws, with the SVG renderer
// (no canvas, no eval; works under the app's CSP). Kept out of the main bundle by the dynamic import.
import { BarChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { init, use } from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';

use([BarChart, GridComponent, LegendComponent, TooltipComponent, SVGRenderer]);

export { init };
