'use strict';

// The page of 'mnist-spark serve': draw or upload a digit, see what the model reads; show the run's test digits.
(() => {
  const SIZE = 28;          // MNIST digits are 28x28
  const BOX = 20;           // ...with the strokes scaled into a 20x20 box, centred by centre of mass
  const SAMPLES = 8;        // samples per axis when shrinking the drawing to one digit pixel
  const STROKE = 24;        // pen width on the 280x280 drawing area (about 2.5 digit pixels)

  const $ = (id) => document.getElementById(id);
  const drawCanvas = $('draw-canvas');
  const draw = drawCanvas.getContext('2d', { willReadFrequently: true });
  const view = $('digit-view').getContext('2d');
  let maxUploadBytes = 64 * 1024;
  let drawing = false;
  let drawn = false;

  // Messages

  function showError(message) {
    $('error').textContent = message;
    $('error').hidden = false;
  }

  function clearError() {
    $('error').hidden = true;
    $('error').textContent = '';
  }

  async function getJson(response) {
    let body;
    try {
      body = await response.json();
    } catch (e) {
      throw new Error(`The server answered ${response.status} ${response.statusText}`);
    }
    if (!response.ok) {
      throw new Error(body.error || `The server answered ${response.status}`);
    }
    return body;
  }

  // Showing a result

  function showDigit(grey) {
    const image = view.createImageData(SIZE, SIZE);
    for (let p = 0; p < SIZE * SIZE; p++) {
      const shade = 255 - Math.max(0, Math.min(255, grey[p]));
      image.data.set([shade, shade, shade, 255], p * 4);
    }
    view.putImageData(image, 0, 0);
  }

  function showProbabilities(probabilities, best) {
    const list = $('probabilities');
    list.replaceChildren();
    probabilities.forEach((p, digit) => {
      const item = document.createElement('li');
      item.className = digit === best ? 'best' : '';
      item.dataset.digit = String(digit);
      const label = document.createElement('span');
      label.className = 'digit';
      label.textContent = String(digit);
      const track = document.createElement('span');
      track.className = 'track';
      const fill = document.createElement('span');
      fill.className = 'fill';
      fill.style.width = `${(p * 100).toFixed(1)}%`;
      track.append(fill);
      const value = document.createElement('span');
      value.className = 'value';
      value.textContent = p.toFixed(3);
      item.append(label, track, value);
      list.append(item);
    });
  }

  function showPrediction(result) {
    clearError();
    showDigit(result.pixels);
    $('source').textContent = `${result.file} (read as ${result.scale})`;
    $('predicted-digit').textContent = String(result.digit);
    $('confidence').textContent = `${(result.confidence * 100).toFixed(1)}%`;
    $('caption').textContent = '';
    $('caption').className = 'caption';
    showProbabilities(result.probabilities, result.digit);
  }

  function showTestDigit(result) {
    clearError();
    showDigit(result.pixels);
    $('source').textContent = `Test image #${result.index} (${result.kind})`;
    $('predicted-digit').textContent = String(result.predicted);
    $('confidence').textContent = `${(result.confidence * 100).toFixed(1)}%`;
    $('caption').textContent = result.caption;
    $('caption').className = `caption ${result.predicted === result.actual ? 'right' : 'wrong'}`;
    showProbabilities(result.probabilities, result.predicted);
  }

  // Asking the server

  async function predict(body, name) {
    try {
      const response = await fetch(`api/predict?name=${encodeURIComponent(name)}`, {
        method: 'POST',
        headers: { 'Content-Type': 'text/csv' },
        body,
      });
      showPrediction(await getJson(response));
    } catch (e) {
      showError(e.message);
    }
  }

  async function randomTestDigit(kind) {
    try {
      showTestDigit(await getJson(await fetch(`api/random/${kind}`)));
    } catch (e) {
      showError(e.message);
    }
  }

  async function loadInfo() {
    try {
      const info = await getJson(await fetch('api/info'));
      maxUploadBytes = info.maxUploadBytes;
      $('model-info').textContent = `Model: ${info.model}`;
      if (info.run) {
        $('run-info').textContent = `Run ${info.run}: ${info.correct} correct and ${info.misclassified} `
          + 'misclassified test digits. Show one at random:';
      } else {
        $('run-info').textContent = 'No run was given (serve --run RUN_DIR), so there are no test digits to show.';
      }
      $('random-correct').disabled = !info.run || info.correct === 0;
      $('random-misclassified').disabled = !info.run || info.misclassified === 0;
    } catch (e) {
      showError(e.message);
    }
  }

  // Uploading a CSV

  $('csv-file').addEventListener('change', (event) => {
    const file = event.target.files[0];
    event.target.value = '';
    if (!file) {
      return;
    }
    if (file.size > maxUploadBytes) {
      showError(`${file.name}: ${file.size} bytes is larger than ${maxUploadBytes / 1024} KiB; `
        + 'a digit CSV is 28 lines of 28 values');
      return;
    }
    predict(file, file.name);
  });

  // Drawing

  function clearDrawing() {
    draw.fillStyle = '#fff';
    draw.fillRect(0, 0, drawCanvas.width, drawCanvas.height);
    drawn = false;
  }

  function position(event) {
    const box = drawCanvas.getBoundingClientRect();
    return [(event.clientX - box.left) * drawCanvas.width / box.width,
      (event.clientY - box.top) * drawCanvas.height / box.height];
  }

  drawCanvas.addEventListener('pointerdown', (event) => {
    drawing = true;
    drawn = true;
    drawCanvas.setPointerCapture(event.pointerId);
    const [x, y] = position(event);
    draw.beginPath();
    draw.moveTo(x, y);
    draw.lineTo(x + 0.1, y);
    draw.stroke();
  });

  drawCanvas.addEventListener('pointermove', (event) => {
    if (!drawing) {
      return;
    }
    const [x, y] = position(event);
    draw.lineTo(x, y);
    draw.stroke();
  });

  function endStroke() {
    if (drawing) {
      drawing = false;
      classifyDrawing();
    }
  }

  drawCanvas.addEventListener('pointerup', endStroke);
  drawCanvas.addEventListener('pointercancel', endStroke);

  // The drawing as MNIST would have it: ink 0-255 on black, scaled into a 20x20 box, centred by centre of mass
  function drawingToGrey() {
    const width = drawCanvas.width;
    const height = drawCanvas.height;
    const rgba = draw.getImageData(0, 0, width, height).data;
    const ink = new Float32Array(width * height);
    let minX = width; let minY = height; let maxX = -1; let maxY = -1;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const i = (y * width + x) * 4;
        const value = 255 - (rgba[i] + rgba[i + 1] + rgba[i + 2]) / 3;
        ink[y * width + x] = value;
        if (value > 32) {
          minX = Math.min(minX, x); maxX = Math.max(maxX, x);
          minY = Math.min(minY, y); maxY = Math.max(maxY, y);
        }
      }
    }
    if (maxX < 0) {
      return null;
    }
    const side = Math.max(maxX - minX + 1, maxY - minY + 1);
    const left = minX - (side - (maxX - minX + 1)) / 2;
    const top = minY - (side - (maxY - minY + 1)) / 2;
    const offset = (SIZE - BOX) / 2;
    const grey = new Float32Array(SIZE * SIZE);
    for (let ty = 0; ty < BOX; ty++) {
      for (let tx = 0; tx < BOX; tx++) {
        let sum = 0;
        for (let sy = 0; sy < SAMPLES; sy++) {
          for (let sx = 0; sx < SAMPLES; sx++) {
            const x = Math.floor(left + (tx + (sx + 0.5) / SAMPLES) * side / BOX);
            const y = Math.floor(top + (ty + (sy + 0.5) / SAMPLES) * side / BOX);
            if (x >= 0 && x < width && y >= 0 && y < height) {
              sum += ink[y * width + x];
            }
          }
        }
        grey[(ty + offset) * SIZE + tx + offset] = sum / (SAMPLES * SAMPLES);
      }
    }
    return centreByMass(grey);
  }

  function centreByMass(grey) {
    let mass = 0; let cx = 0; let cy = 0;
    for (let y = 0; y < SIZE; y++) {
      for (let x = 0; x < SIZE; x++) {
        const v = grey[y * SIZE + x];
        mass += v; cx += v * x; cy += v * y;
      }
    }
    const dx = Math.round((SIZE - 1) / 2 - cx / mass);
    const dy = Math.round((SIZE - 1) / 2 - cy / mass);
    const shifted = new Array(SIZE * SIZE).fill(0);
    for (let y = 0; y < SIZE; y++) {
      for (let x = 0; x < SIZE; x++) {
        const nx = x + dx; const ny = y + dy;
        if (nx >= 0 && nx < SIZE && ny >= 0 && ny < SIZE) {
          shifted[ny * SIZE + nx] = Math.round(Math.min(255, grey[y * SIZE + x]));
        }
      }
    }
    return shifted;
  }

  function toCsv(grey) {
    const lines = [];
    for (let row = 0; row < SIZE; row++) {
      lines.push(grey.slice(row * SIZE, (row + 1) * SIZE).join(','));
    }
    return `${lines.join('\n')}\n`;
  }

  function classifyDrawing() {
    const grey = drawn ? drawingToGrey() : null;
    if (!grey) {
      showError('Draw a digit first.');
      return;
    }
    predict(toCsv(grey), 'drawing');
  }

  draw.lineWidth = STROKE;
  draw.lineCap = 'round';
  draw.lineJoin = 'round';
  draw.strokeStyle = '#000';
  clearDrawing();
  $('classify-drawing').addEventListener('click', classifyDrawing);
  $('clear-drawing').addEventListener('click', clearDrawing);
  $('random-correct').addEventListener('click', () => randomTestDigit('correct'));
  $('random-misclassified').addEventListener('click', () => randomTestDigit('misclassified'));
  showProbabilities(new Array(10).fill(0), -1);
  loadInfo();
})();
