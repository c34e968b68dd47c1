// node ort_run.js MODEL.onnx DATA.csv [DROP_COLUMN]: runs MODEL.onnx in ONNX
// Runtime (onnxruntime-node, CPU) on the CSV's rows and prints its output as
// CSV with 9 significant digits. A graph input named as a column (a text
// column of the model) gets that column's cells as a string tensor [N]; the
// input "input" gets the other columns (all but DROP_COLUMN, in file order) as
// float32 [N, columns], a missing cell as NaN. (Plain comma-separated fields:
// the test files quote nothing.)
const ort = require('onnxruntime-node');
const fs = require('fs');

const missing = new Set(['', 'na', 'n/a', 'nan', 'null', '?']);

async function main() {
  const [modelPath, dataPath, drop] = process.argv.slice(2);
  const lines = fs.readFileSync(dataPath, 'utf8').split(/\r?\n/).filter((l) => l.length > 0);
  const header = lines[0].split(',');
  const cells = lines.slice(1).map((l) => l.split(','));
  const rows = cells.length;
  const session = await ort.InferenceSession.create(modelPath);
  const feeds = {};
  const textColumns = new Set();
  for (const name of session.inputNames) {
    if (name === 'input') continue;
    const column = header.indexOf(name);
    if (column < 0) throw new Error(`the model's input '${name}' is not a column of ${dataPath}`);
    textColumns.add(column);
    feeds[name] = new ort.Tensor('string', cells.map((row) => row[column]), [rows]);
  }
  if (session.inputNames.includes('input')) {
    const keep = header.map((name, i) => [name, i]).filter(([name, i]) => name !== drop && !textColumns.has(i)).map(([, i]) => i);
    const data = new Float32Array(rows * keep.length);
    for (let r = 0; r < rows; ++r) {
      keep.forEach((column, c) => {
        const cell = cells[r][column].trim();
        data[r * keep.length + c] = missing.has(cell.toLowerCase()) ? NaN : Number(cell);
      });
    }
    feeds.input = new ort.Tensor('float32', data, [rows, keep.length]);
  }
  const results = await session.run(feeds);
  const out = results[session.outputNames[0]];
  const cols = out.dims[1];
  let text = `${session.inputNames.join('+')}->${session.outputNames[0]} [${out.dims.join(', ')}]\n`;
  for (let r = 0; r < rows; ++r) {
    const row = [];
    for (let c = 0; c < cols; ++c) row.push(Number(out.data[r * cols + c]).toPrecision(9));
    text += row.join(',') + '\n';
  }
  process.stdout.write(text);
}

main().catch((e) => { console.error(`ort_run: ${e.message}`); process.exit(1); });
