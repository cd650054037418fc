/* Dashboard charts (Chart.js from static/vendor), drawn from the numbers the page passes with json_script.
 *
 * Each <canvas data-chart="ID" data-kind="line|bar|stacked" [data-unit="%"]> reads the JSON element #ID
 * ({labels, datasets: [{label, data}]}). Series differ by more than colour: lines by point shape and dash
 * pattern, bars by fill pattern (stripes, dots, cross-hatch); the legend shows the shape or pattern and
 * every value is also in the table next to the chart.
 */
(function () {
  "use strict";

  var COLOURS = ["#0b4a8b", "#b35c00", "#2f7d32", "#7b2d8b", "#a3262a", "#3e4c59", "#00707a", "#8a6d00"];
  var POINTS = ["circle", "triangle", "rect", "rectRot", "star", "crossRot", "rectRounded", "cross"];
  var DASHES = [[], [6, 4], [2, 3], [10, 3, 2, 3], [1, 1], [12, 6], [4, 8], [8, 2]];

  function pattern(index, colour) {
    var size = 10;
    var tile = document.createElement("canvas");
    tile.width = size;
    tile.height = size;
    var ctx = tile.getContext("2d");
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, size, size);
    ctx.strokeStyle = colour;
    ctx.fillStyle = colour;
    ctx.lineWidth = 2;
    switch (index % 5) {
      case 0: // solid
        ctx.fillRect(0, 0, size, size);
        break;
      case 1: // diagonal stripes
        ctx.beginPath();
        ctx.moveTo(0, size);
        ctx.lineTo(size, 0);
        ctx.moveTo(-size / 2, size / 2);
        ctx.lineTo(size / 2, -size / 2);
        ctx.moveTo(size / 2, size * 1.5);
        ctx.lineTo(size * 1.5, size / 2);
        ctx.stroke();
        break;
      case 2: // dots
        ctx.beginPath();
        ctx.arc(size / 2, size / 2, 2.5, 0, Math.PI * 2);
        ctx.fill();
        break;
      case 3: // cross-hatch
        ctx.beginPath();
        ctx.moveTo(0, size / 2);
        ctx.lineTo(size, size / 2);
        ctx.moveTo(size / 2, 0);
        ctx.lineTo(size / 2, size);
        ctx.stroke();
        break;
      default: // horizontal bars
        ctx.fillRect(0, 0, size, size / 3);
    }
    return tile.getContext("2d").createPattern(tile, "repeat");
  }

  function build(canvas) {
    var source = document.getElementById(canvas.dataset.chart);
    if (!source || typeof window.Chart === "undefined") {
      return;
    }
    var data = JSON.parse(source.textContent);
    var kind = canvas.dataset.kind || "bar";
    var unit = canvas.dataset.unit || "";
    var line = kind === "line";
    var datasets = data.datasets.map(function (series, index) {
      var colour = COLOURS[index % COLOURS.length];
      var dataset = { label: series.label, data: series.data, borderColor: colour, borderWidth: 2 };
      if (line) {
        dataset.pointStyle = POINTS[index % POINTS.length];
        dataset.pointRadius = 5;
        dataset.borderDash = DASHES[index % DASHES.length];
        dataset.backgroundColor = colour;
        dataset.spanGaps = true;
      } else {
        dataset.backgroundColor = pattern(index, colour);
      }
      return dataset;
    });
    var stacked = kind === "stacked";
    new window.Chart(canvas, {
      type: line ? "line" : "bar",
      data: { labels: data.labels, datasets: datasets },
      options: {
        responsive: true,
        aspectRatio: line ? 2.5 : 3,
        animation: false,
        scales: {
          x: { stacked: stacked },
          y: {
            stacked: stacked,
            beginAtZero: true,
            max: unit === "%" ? 100 : undefined,
            ticks: {
              precision: 0,
              callback: function (value) { return value + unit; }
            }
          }
        },
        plugins: {
          legend: { display: datasets.length > 1, labels: { usePointStyle: line } },
          tooltip: {
            callbacks: {
              label: function (item) {
                var value = item.parsed.y;
                return item.dataset.label + ": " + (value === null ? "—" : value + unit);
              }
            }
          }
        }
      }
    });
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("canvas[data-chart]"), build);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
