// The plotly.js bundle the monitor serves: only the trace types its charts draw
// (monitoring/charts/, initiatives/charts.py). Add a trace type here when a chart needs one,
// then run scripts/update_plotly.sh. "scatter" is always part of the core.
'use strict';
var Plotly = require('plotly.js/lib/core');
Plotly.register([
    require('plotly.js/lib/bar'),
    require('plotly.js/lib/histogram'),
    require('plotly.js/lib/scatterpolar'),
]);
module.exports = Plotly;
