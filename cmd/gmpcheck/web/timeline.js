// gmpcheck's timeline: draws a trace (the timelineDoc of
// cmd/gmpcheck/timeline.go, embedded in the page as JSON) as a table in
// which time runs down. One row per state; one lane per actor (for the
// scheduler: per M, sysmon marked), where the step that actor took is a
// mark labelled with the runtime step and its source line, and the P the
// M holds is a coloured band; then, for the scheduler, where each
// goroutine is, each P's queue, and sched's global queue, idle lists,
// spinning count and lock. Text appears where a value changes. Clicking a
// row or pressing the arrow keys selects a state; the panel beside shows
// it in the schedtrace form with the fields the step changed marked.
//
// Hand-written and dependency-free on purpose: the page must open from
// disk with no network. No build step: edit and reload.
(function () {
	'use strict';

	var doc = JSON.parse(document.getElementById('gmp-data').textContent);
	var root = document.getElementById('timeline');
	var panel = document.getElementById('panel');
	var steps = doc.steps || [];
	var lanes = doc.lanes || [];
	var last = steps.length - 1;
	var vio = doc.violation || null;
	var sched = steps.length > 0 && !!steps[0].view;
	var explorer = document.body.classList.contains('explorer');
	var pColors = ['#4e79a7', '#f28e2b', '#59a14f', '#b07aa1', '#e15759', '#76b7b2', '#c9a227', '#9c755f'];
	var schedCols = [
		['runq', 'sched.runq: the global run queue'],
		['pidle', 'sched.pidle: idle Ps'],
		['midle', 'sched.midle: idle Ms'],
		['spin', 'sched.nmspinning (and needspinning)'],
		['lock', 'sched.lock: its owner']
	];
	var selected = -1;
	var rows = [];
	// used[j]: lane j acts or exists somewhere on the trace; the others
	// (Ms never created) are drawn narrow.
	var used = lanes.map(function (l, j) {
		return steps.some(function (st) {
			return st.lane === j || (st.view && j < st.view.ms.length && st.view.ms[j].created);
		});
	});

	function esc(s) {
		return String(s).replace(/[&<>"']/g, function (c) {
			return {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}[c];
		});
	}

	function pColor(name) {
		var m = /^P(\d+)$/.exec(name || '');
		return m ? pColors[parseInt(m[1], 10) % pColors.length] : '';
	}

	// The P a goroutine's place belongs to ("P1.runq"), or the P its M holds.
	function gColor(g, v) {
		var m = /^(P\d+)\./.exec(g.place || '');
		if (m) {
			return pColor(m[1]);
		}
		var mname = g.m || (g.kind === 'held' ? (g.place || '').split('.')[0] : '');
		for (var i = 0; i < v.ms.length; i++) {
			if (v.ms[i].name === mname && v.ms[i].p) {
				return pColor(v.ms[i].p);
			}
		}
		return '';
	}

	function list(xs) {
		return '[' + (xs || []).join(' ') + ']';
	}

	function shortSource(ref) {
		var s = ref.source || '';
		var m = /^([\w.]+\.go):(\d+)/.exec(s);
		if (m) {
			return m[1] + ':' + m[2];
		}
		if (s.indexOf('go1.14') === 0) {
			return 'go1.14';
		}
		if (s.indexOf('user code') === 0) {
			return 'user code';
		}
		return s;
	}

	function markHTML(i, st) {
		var name, src = '', title = st.action;
		if (st.ref) {
			name = st.ref.detail || st.ref.step;
			src = shortSource(st.ref);
			if (st.ref.source) {
				title += ' \u2014 ' + (st.ref.func ? st.ref.func + ', ' : '') + st.ref.source;
			}
		} else {
			var sp = st.action.indexOf(' ');
			name = sp > 0 ? st.action.slice(sp + 1) : st.action;
		}
		return '<button type="button" class="mark" data-step="' + i + '" title="' + esc(title) + '">' +
			'<span class="mname">' + nameHTML(name) + '</span>' +
			(src ? '<span class="msrc">' + esc(src) + '</span>' : '') + '</button>';
	}

	// nameHTML splits "findRunnable.spinning?" so that, when the lane is
	// narrow, the function's name is shortened and the phase stays whole.
	function nameHTML(name) {
		var dot = name.indexOf('.');
		if (dot <= 0 || name.indexOf(': ') >= 0) {
			return '<span class="mfn">' + esc(name) + '</span>';
		}
		return '<span class="mfn">' + esc(name.slice(0, dot)) + '</span><span class="mph">' + esc(name.slice(dot)) + '</span>';
	}

	function laneCell(i, j, st, v, pv) {
		var mv = v && j < v.ms.length ? v.ms[j] : null;
		var pmv = pv && j < pv.ms.length ? pv.ms[j] : null;
		var cls = 'lane-cell', style = '', tags = '';
		if (!used[j]) {
			return '<td class="lane-cell unused"></td>';
		}
		if (mv) {
			if (!mv.created) {
				cls += ' absent';
			} else {
				cls += mv.idle ? ' parked' : ' alive';
				if (mv.spinning) {
					cls += ' spinning';
				}
				if (mv.p) {
					cls += ' holds';
					style = ' style="--pc:' + pColor(mv.p) + '"';
					if (!pmv || pmv.p !== mv.p) {
						tags += '<span class="ptag" title="' + esc(mv.name) + ' acquires ' + esc(mv.p) + '">' + esc(mv.p) + '</span>';
					}
				} else if (pmv && pmv.p) {
					tags += '<span class="ptag drop" title="' + esc(mv.name) + ' releases ' + esc(pmv.p) + '">\u2212' + esc(pmv.p) + '</span>';
				}
				if (mv.curg && (!pmv || pmv.curg !== mv.curg)) {
					tags += '<span class="gtag" title="m.curg">' + esc(mv.curg) + '</span>';
				}
			}
		} else {
			cls += ' alive';
		}
		var mark = st.lane === j ? markHTML(i, st) : '';
		return '<td class="' + cls + '"' + style + '><div class="cell">' + mark + tags + '</div></td>';
	}

	function textCell(cls, text, changed, style, title) {
		return '<td class="' + cls + '"' + (style ? ' style="' + style + '"' : '') + (title ? ' title="' + esc(title) + '"' : '') + '>' +
			(changed ? esc(text) : '') + '</td>';
	}

	function pText(p) {
		return (p.status === 'running' ? p.m || 'running' : p.status) +
			(p.runq.length ? ' ' + list(p.runq) : '') + (p.runnext ? ' +' + p.runnext : '');
	}

	function schedValues(v) {
		return [list(v.runq), list(v.pidle), list(v.midle), v.nmspinning + (v.needspinning ? ' need' : ''), v.lock || ''];
	}

	function rowHTML(i) {
		var st = steps[i], v = st.view, pv = i > 0 ? steps[i - 1].view : null;
		var cls = 'step';
		if (vio && i === vio.step) {
			cls += ' violation';
		}
		if (vio && vio.loop >= 0 && i >= vio.loop) {
			cls += ' cycle';
		}
		if (v && v.end) {
			cls += ' ended';
		}
		var h = '<tr data-step="' + i + '" class="' + cls + '"><td class="num">' + i + '</td>';
		for (var j = 0; j < lanes.length; j++) {
			h += laneCell(i, j, st, v, pv);
		}
		if (v) {
			v.gs.forEach(function (g, k) {
				var pg = pv ? pv.gs[k] : null;
				var changed = !pg || pg.place !== g.place || pg.kind !== g.kind;
				var c = gColor(g, v);
				h += textCell('g-cell k-' + g.kind, g.place || g.kind, changed, c ? '--pc:' + c : '', g.name + ': ' + g.status + (g.place ? ' at ' + g.place : ''));
			});
			v.ps.forEach(function (p, k) {
				var t = pText(p);
				var changed = !pv || pText(pv.ps[k]) !== t;
				h += textCell('p-cell s-' + p.status, t, changed, '--pc:' + pColor(p.name), p.name + ': ' + t);
			});
			var sv = schedValues(v), ps = pv ? schedValues(pv) : null;
			sv.forEach(function (x, k) {
				var busy = x !== '[]' && x !== '' && x !== '0';
				h += textCell('s-cell' + (busy ? ' busy' : ''), x, !ps || ps[k] !== x, '', schedCols[k][1] + ': ' + x);
			});
		}
		h += '</tr>';
		var cols = 1 + lanes.length + (v ? v.gs.length + v.ps.length + schedCols.length : 0);
		if (vio && i === vio.step && vio.kind !== 'eventually') {
			var what = vio.kind === 'deadlock' ? 'deadlock: no action is enabled in state ' + i :
				vio.property + ' (' + vio.kind + ') is violated in state ' + i;
			h += '<tr class="banner"><td colspan="' + cols + '">\u25b2 ' + esc(what) + '</td></tr>';
		}
		if (vio && vio.kind === 'eventually' && i === last) {
			var loopText = vio.loop >= 0 ?
				'\u21ba the last step returns to state ' + vio.loop + ': the cycle repeats forever, and ' + vio.property + ' never holds on it' :
				'the path ends without ' + vio.property + ' holding, and cannot go on';
			h += '<tr class="banner cycle-banner"><td colspan="' + cols + '">' + esc(loopText) + '</td></tr>';
		}
		return h;
	}

	function headHTML() {
		var h = '<thead><tr><th class="num">#</th>';
		lanes.forEach(function (l, j) {
			h += '<th class="lane lane-' + l.kind + (used[j] ? '' : ' unused') + '" title="' + esc(laneTitle(l)) +
				(used[j] ? '' : ' (not created on this path)') + '">' + esc(l.name) +
				(l.kind === 'sysmon' ? ' <small>sysmon</small>' : '') + '</th>';
		});
		if (sched) {
			var v = steps[0].view;
			v.gs.forEach(function (g, k) {
				h += '<th class="g' + (k === 0 ? ' group' : '') + '" title="goroutine ' + esc(g.name) + ': where it is">' + esc(g.name) + '</th>';
			});
			v.ps.forEach(function (p, k) {
				h += '<th class="p' + (k === 0 ? ' group' : '') + '" style="--pc:' + pColor(p.name) + '" title="' + esc(p.name) + ': owner, local run queue, +runnext">' + esc(p.name) + '</th>';
			});
			schedCols.forEach(function (c, k) {
				h += '<th class="s' + (k === 0 ? ' group' : '') + '" title="' + esc(c[1]) + '">' + esc(c[0]) + '</th>';
			});
		}
		return h + '</tr></thead>';
	}

	function laneTitle(l) {
		switch (l.kind) {
		case 'sysmon':
			return l.name + ': the sysmon thread (no P)';
		case 'env':
			return 'the environment: network descriptors becoming ready, timers firing';
		case 'm':
			return l.name + ': an M (OS thread); the band is the P it holds';
		}
		return 'process ' + l.name;
	}

	function legend() {
		var el = document.getElementById('legend');
		if (!el || !sched) {
			return;
		}
		var h = '<span class="key">lanes: Ms, time runs down; band: the P an M holds</span>';
		steps[0].view.ps.forEach(function (p) {
			h += '<span class="swatch" style="--pc:' + pColor(p.name) + '"></span>' + esc(p.name) + ' ';
		});
		h += '<span class="key">goroutines:</span>' +
			['running', 'runnext', 'runq', 'globrunq', 'held', 'syscall', 'waiting'].map(function (k) {
				return '<span class="g-key k-' + k + '">' + k + '</span>';
			}).join(' ');
		h += '<span class="key">keys: \u2190 \u2192 step, Home End</span>';
		el.innerHTML = h;
	}

	function draw() {
		if (steps.length === 0) {
			root.innerHTML = '<p class="empty">' + esc(doc.title || 'nothing to draw') + '</p>';
			panel.innerHTML = '';
			return;
		}
		var width = root.clientWidth || 900;
		var other = sched ? steps[0].view.gs.length * 70 + steps[0].view.ps.length * 96 + schedCols.length * 58 : 0;
		var nused = used.filter(Boolean).length;
		var laneW = Math.max(nused > 5 ? 160 : 190, Math.min(240, Math.floor((width - 60 - other - 34 * (lanes.length - nused)) / Math.max(1, nused))));
		root.style.setProperty('--lane-w', laneW + 'px');
		var body = [];
		for (var i = 0; i < steps.length; i++) {
			body.push(rowHTML(i));
		}
		root.innerHTML = '<table class="tl">' + headHTML() + '<tbody>' + body.join('') + '</tbody></table>' +
			'<svg class="loop" aria-hidden="true"></svg>';
		rows = Array.prototype.slice.call(root.querySelectorAll('tr[data-step]'));
		drawLoop();
	}

	// drawLoop draws a lasso's cycle: an arrow in the gutter from the last
	// state back up to the state where the cycle starts.
	function drawLoop() {
		var svg = root.querySelector('svg.loop');
		if (!svg || !vio || vio.loop < 0 || vio.loop >= rows.length) {
			return;
		}
		var top = rows[vio.loop].offsetTop + rows[vio.loop].offsetHeight / 2;
		var bottom = rows[last].offsetTop + rows[last].offsetHeight / 2;
		svg.style.top = '0px';
		svg.setAttribute('width', '24');
		svg.setAttribute('height', String(bottom + 12));
		svg.innerHTML = '<defs><marker id="arrow" viewBox="0 0 10 10" refX="8" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse">' +
			'<path d="M0,0 L10,5 L0,10 z" fill="#8250df"/></marker></defs>' +
			'<path d="M22,' + bottom + ' C2,' + bottom + ' 2,' + top + ' 20,' + top + '" fill="none" stroke="#8250df" stroke-width="2" marker-end="url(#arrow)"/>' +
			'<title>the last step returns to state ' + vio.loop + '</title>';
	}

	function markedState(st) {
		var text = st.state || '';
		var marks = [];
		(st.changed || []).forEach(function (c) {
			if (c.mark) {
				marks.push({from: c.mark[0], to: c.mark[1], title: c.field + ': ' + (c.from || '\u2013') + ' \u2192 ' + (c.to || '\u2013')});
			}
		});
		marks.sort(function (a, b) { return a.from - b.from; });
		var h = '', at = 0;
		marks.forEach(function (m) {
			if (m.from < at) {
				return; // overlapping: the first mark covers it
			}
			h += esc(text.slice(at, m.from)) + '<mark title="' + esc(m.title) + '">' + esc(text.slice(m.from, m.to)) + '</mark>';
			at = m.to;
		});
		return h + esc(text.slice(at));
	}

	function renderPanel(i) {
		var st = steps[i];
		var h = '<div class="nav"><button type="button" id="prev" title="previous state (\u2190)"' + (i === 0 ? ' disabled' : '') + '>\u25c0</button>' +
			' <b id="state-title">state ' + i + '</b> of ' + last +
			' <button type="button" id="next" title="next state (\u2192)"' + (i === last ? ' disabled' : '') + '>\u25b6</button></div>';
		h += '<p class="action"><code>' + (i === 0 ? 'initial state' : esc(st.action)) + '</code></p>';
		if (st.ref && st.ref.source) {
			h += '<p class="ref">' + esc(st.ref.step) + (st.ref.func ? ' in <code>' + esc(st.ref.func) + '</code>' : '') + ', ' + esc(st.ref.source) + '</p>';
		}
		if (vio && i === vio.step && vio.kind !== 'eventually') {
			h += '<p class="vio">' + esc(vio.kind === 'deadlock' ? 'deadlock: no action is enabled' : vio.property + ' (' + vio.kind + ') is violated here') + '</p>';
		}
		if (vio && vio.kind === 'eventually' && vio.loop === i) {
			h += '<p class="vio">the cycle starts here; the last state is this one again</p>';
		}
		if (st.view && st.view.end) {
			h += '<p class="vio">' + esc(st.view.end) + '</p>';
		}
		if (st.change) {
			h += '<p class="change">' + esc(st.change) + '</p>';
		}
		h += st.state ? '<pre id="state">' + markedState(st) + '</pre>' : '<p class="muted">(the model does not format its states)</p>';
		var hidden = (st.changed || []).filter(function (c) { return !c.mark; });
		if (hidden.length > 0) {
			h += '<p class="muted">also changed (not in the schedtrace text):</p><table class="hidden">';
			hidden.forEach(function (c) {
				h += '<tr><td><code>' + esc(c.field) + '</code></td><td><code>' + esc(c.from || '\u2013') + '</code> \u2192 <code>' + esc(c.to || '\u2013') + '</code></td></tr>';
			});
			h += '</table>';
		}
		if (explorer && i < last && doc.path) {
			var prefix = doc.path.split('/').slice(0, i + 1).join('/');
			h += '<p><a id="goto" href="/?path=' + esc(prefix) + '">explore from state ' + i + '</a></p>';
		}
		panel.innerHTML = h;
		panel.querySelector('#prev').addEventListener('click', function () { select(selected - 1); });
		panel.querySelector('#next').addEventListener('click', function () { select(selected + 1); });
	}

	function select(i) {
		if (steps.length === 0) {
			return;
		}
		i = Math.max(0, Math.min(last, i));
		if (selected >= 0 && rows[selected]) {
			rows[selected].classList.remove('selected');
		}
		selected = i;
		rows[i].classList.add('selected');
		rows[i].scrollIntoView({block: 'nearest'});
		renderPanel(i);
		try {
			history.replaceState(null, '', '#' + i);
		} catch (e) {
			// file: URLs in some browsers; the selection just is not kept
		}
	}

	function initial() {
		var m = /^#(\d+)$/.exec(location.hash);
		if (m) {
			return parseInt(m[1], 10);
		}
		if (root.getAttribute('data-select') === 'last') {
			return last;
		}
		return vio ? vio.step : 0;
	}

	root.addEventListener('click', function (e) {
		var tr = e.target.closest ? e.target.closest('tr[data-step]') : null;
		if (tr) {
			select(parseInt(tr.getAttribute('data-step'), 10));
		}
	});

	document.addEventListener('keydown', function (e) {
		if (e.altKey || e.ctrlKey || e.metaKey || steps.length === 0) {
			return;
		}
		var tag = e.target && e.target.tagName;
		if (tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT') {
			return;
		}
		var to = null;
		switch (e.key) {
		case 'ArrowLeft':
		case 'ArrowUp':
		case 'k':
			to = selected - 1;
			break;
		case 'ArrowRight':
		case 'ArrowDown':
		case 'j':
			to = selected + 1;
			break;
		case 'Home':
			to = 0;
			break;
		case 'End':
			to = last;
			break;
		}
		if (to !== null) {
			e.preventDefault();
			select(to);
		}
	});

	var resizeTimer = 0;
	window.addEventListener('resize', function () {
		clearTimeout(resizeTimer);
		resizeTimer = setTimeout(drawLoop, 100);
	});

	// For measuring and debugging from the console or a test.
	window.gmpTimeline = {doc: doc, draw: draw, select: select};

	var t0 = window.performance ? performance.now() : 0;
	legend();
	draw();
	select(initial());
	if (window.performance) {
		document.body.setAttribute('data-draw-ms', String(Math.round(performance.now() - t0)));
	}
	document.body.setAttribute('data-ready', 'true');
})();
