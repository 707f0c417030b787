//! Server-rendered charts (plotters, SVG backend): the first paint has the chart before any WASM.
//! One module per kind of chart (`consumption`, …); `axis` holds what they share (palette, axis
//! labels), so a new chart (e.g. `heatmap.rs`) goes beside them.
pub mod axis;
pub mod bars;
pub mod carpet;
pub mod consumption;
pub mod lines;
