/**
 * @file `tsgrad/pyplot`: matplotlib.pyplot for TypeScript. Plots arrays, typed arrays and tensors to SVG and PNG,
 * shows them in notebooks, pages or files, and tracks training with live curves and tqdm-style progress bars.
 */
export {
  type Artist,
  AxesImage,
  BarContainer,
  Line2D,
  PathCollection,
  Polygon,
  type ScalarMappable,
} from './artists.js';
export {
  Axes,
  type BarOptions,
  type FillBetweenOptions,
  type GridOptions,
  type HistOptions,
  type HistResult,
  type ImshowOptions,
  type PlotArgs,
  type PlotOptions,
  type Scale,
  type ScatterOptions,
  type TextOptions,
} from './axes.js';
export { type Color, colormap, TAB10 } from './colors.js';
export type { ArrayData, AxisData, MatrixData } from './data.js';
export { type DisplayKind, displayKind, type ShowOptions } from './display.js';
export { Figure, type FigureOptions, type SaveOptions, type SubplotParams } from './figure.js';
export type { LegendLoc, LegendOptions } from './legend.js';
export { LivePlot, type LivePlotOptions, type Scalar } from './live.js';
export { type ProgressStream, Tqdm, type TqdmOptions, tqdm, trange } from './progress.js';
export * from './pyplot.js';
export type { LineStyle, Marker } from './style.js';
