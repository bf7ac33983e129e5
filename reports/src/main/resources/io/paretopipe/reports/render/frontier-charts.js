// Draws the latency-throughput charts of a ParetoPipe report (index.html) with Apache ECharts,
// from the JSON block #pp-chart-data written by InteractiveCharts.java. No network: echarts.min.js
// sits next to the page.
(function () {
  'use strict';
  var PALETTE = ['#1f5fbf', '#d9730d', '#2e8b57', '#8e44ad', '#c0392b', '#16a085', '#7f6000', '#555555'];
  var SYMBOL = { frontier: 'diamond', possible: 'circle', dominated: 'triangle' };
  var PHASES = [
    ['head_compute', 'head compute'],
    ['encode', 'encode'],
    ['network', 'network'],
    ['tail_compute', 'tail compute'],
    ['decode', 'decode']
  ];

  function esc(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }

  function num(v, decimals) {
    return v === null || v === undefined ? 'n/a' : v.toFixed(decimals);
  }

  function interval(v, low, high, decimals) {
    if (v === null) {
      return 'n/a';
    }
    if (low === null || high === null) {
      return num(v, decimals) + ' (no interval)';
    }
    return num(v, decimals) + ' [' + num(low, decimals) + ', ' + num(high, decimals) + '] (95%)';
  }

  function bytes(b) {
    if (b === null) {
      return 'n/a';
    }
    if (b >= 1048576) {
      return (b / 1048576).toFixed(2) + ' MiB (' + b + ' B)';
    }
    if (b >= 1024) {
      return (b / 1024).toFixed(1) + ' KiB (' + b + ' B)';
    }
    return b + ' B';
  }

  function tooltip(point, group, chart) {
    var rows = [
      '<b>split ' + esc(point.split) + '</b> &middot; ' + esc(group.name),
      esc(chart.x) + ': ' + interval(point.x, point.xLow, point.xHigh, 3),
      esc(chart.y) + ': ' + interval(point.y, point.yLow, point.yHigh, 2),
      'frontier: ' + (point['class'] === null ? 'not classified' : esc(point['class'])) +
        ', P(frontier) ' + num(point.p, 2) + (point.reported ? ', in the reported frontier' : '') +
        (point.onEstimateFrontier ? ', on the frontier of the estimates (outlined)' : '')
    ];
    var phases = [];
    PHASES.forEach(function (ph) {
      if (point.phases[ph[0]] !== undefined) {
        phases.push(ph[1] + ' ' + point.phases[ph[0]].toFixed(3));
      }
    });
    rows.push('phases (ms per request): ' + (phases.length ? phases.join(', ') : 'n/a'));
    rows.push('bytes at the cut per request: ' + bytes(point.bytes));
    rows.push('samples: ' + (point.requests < 0 ? 'unknown' : point.requests) + ' requests in ' +
      point.latencyIterations + ' iteration(s); ' + (point.batches < 0 ? 'unknown' : point.batches) +
      ' batches in ' + point.throughputIterations + ' iteration(s)' +
      (point.depth ? ', depth ' + esc(point.depth) : '') + (point.converged ? '; converged' : ''));
    return '<div class="pp-tip-title">' + esc(group.title) + '</div>' + rows.join('<br>');
  }

  // Interval bars: data items are [x, y, xLow, xHigh, yLow, yHigh].
  function intervalBars(params, api) {
    var x = api.value(0);
    var y = api.value(1);
    var style = api.style({ stroke: api.visual('color'), fill: null, lineWidth: 1, opacity: 0.55 });
    var children = [];
    var cap = 4;
    if (!isNaN(api.value(2)) && !isNaN(api.value(3))) {
      var a = api.coord([api.value(2), y]);
      var b = api.coord([api.value(3), y]);
      children.push({ type: 'line', shape: { x1: a[0], y1: a[1], x2: b[0], y2: b[1] }, style: style });
      children.push({ type: 'line', shape: { x1: a[0], y1: a[1] - cap, x2: a[0], y2: a[1] + cap }, style: style });
      children.push({ type: 'line', shape: { x1: b[0], y1: b[1] - cap, x2: b[0], y2: b[1] + cap }, style: style });
    }
    if (!isNaN(api.value(4)) && !isNaN(api.value(5))) {
      var c = api.coord([x, api.value(4)]);
      var d = api.coord([x, api.value(5)]);
      children.push({ type: 'line', shape: { x1: c[0], y1: c[1], x2: d[0], y2: d[1] }, style: style });
      children.push({ type: 'line', shape: { x1: c[0] - cap, y1: c[1], x2: c[0] + cap, y2: c[1] }, style: style });
      children.push({ type: 'line', shape: { x1: d[0] - cap, y1: d[1], x2: d[0] + cap, y2: d[1] }, style: style });
    }
    return { type: 'group', children: children };
  }

  function nanIfNull(v) {
    return v === null ? NaN : v;
  }

  function option(chart) {
    var series = [];
    chart.groups.forEach(function (group, gi) {
      var color = PALETTE[gi % PALETTE.length];
      series.push({
        name: group.name,
        type: 'custom',
        renderItem: intervalBars,
        silent: true,
        tooltip: { show: false },
        itemStyle: { color: color },
        encode: { x: [0, 2, 3], y: [1, 4, 5] },
        data: group.points.map(function (p) {
          return [p.x, p.y, nanIfNull(p.xLow), nanIfNull(p.xHigh), nanIfNull(p.yLow), nanIfNull(p.yHigh)];
        }),
        z: 1
      });
      series.push({
        name: group.name,
        type: 'line',
        data: group.frontier,
        showSymbol: false,
        silent: true,
        tooltip: { show: false },
        lineStyle: { color: color, width: 2 },
        itemStyle: { color: color },
        z: 2
      });
      series.push({
        name: group.name,
        type: 'scatter',
        itemStyle: { color: color },
        data: group.points.map(function (p) {
          var frontier = p['class'] === 'frontier';
          var outlined = frontier || p.onEstimateFrontier;
          return {
            value: [p.x, p.y],
            point: p,
            symbol: SYMBOL[p['class']] || 'rect',
            symbolSize: frontier ? 17 : 11,
            itemStyle: {
              color: color,
              borderColor: outlined ? '#000' : color,
              borderWidth: frontier ? 2 : outlined ? 1.5 : 0,
              opacity: p['class'] === 'dominated' ? 0.4 : 0.95
            }
          };
        }),
        label: {
          show: true,
          position: 'right',
          fontSize: 11,
          color: '#333',
          formatter: function (q) {
            return q.data.point.split;
          }
        },
        labelLayout: { hideOverlap: true },
        emphasis: { scale: 1.4, label: { show: true, fontWeight: 'bold' } },
        tooltip: {
          formatter: function (q) {
            return tooltip(q.data.point, group, chart);
          }
        },
        z: 3
      });
    });
    return {
      animation: false,
      color: PALETTE,
      title: { text: chart.title, left: 'center', textStyle: { fontSize: 15 } },
      legend: { top: 28, type: 'scroll' },
      grid: { left: 80, right: 40, top: 70, bottom: 90 },
      tooltip: { trigger: 'item', confine: true, className: 'pp-tooltip', extraCssText: 'max-width:560px;white-space:normal' },
      toolbox: { right: 10, feature: { dataZoom: { title: { zoom: 'zoom a box', back: 'undo zoom' } }, restore: { title: 'reset' } } },
      xAxis: { type: 'value', name: chart.x, nameLocation: 'middle', nameGap: 30, scale: true },
      yAxis: { type: 'value', name: chart.y, nameLocation: 'middle', nameGap: 55, scale: true },
      dataZoom: [
        { type: 'inside', xAxisIndex: 0, filterMode: 'none' },
        { type: 'inside', yAxisIndex: 0, filterMode: 'none' },
        { type: 'slider', xAxisIndex: 0, filterMode: 'none', bottom: 10, height: 18 }
      ],
      series: series
    };
  }

  var data = JSON.parse(document.getElementById('pp-chart-data').textContent);
  var instances = [];
  data.charts.forEach(function (chart) {
    var element = document.getElementById(chart.id);
    var instance = echarts.init(element, null, { renderer: 'canvas' });
    instance.setOption(option(chart));
    instances.push(instance);
  });
  window.addEventListener('resize', function () {
    instances.forEach(function (i) {
      i.resize();
    });
  });
})();
