// The Result page: fetches its data from /api/ and draws it with ScaleLab.chart.
'use strict';
ScaleLab.ready(async () => {
  // Filled in by the page's area.
});
