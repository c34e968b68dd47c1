// node ort_run.js MODEL.onnx DATA.csv [DROP_COLUMN]: runs MODEL.onnx in ONNX
// Runtime (onnxruntime-node, CPU) on the CSV's columns (all but DROP_COLUMN, in
// file order) and prints its output as CSV with 9 significant digits.
const ort = require('onnxruntime-node');
const fs = require('fs');

async function main() {
  const [modelPath, dataPath, drop] = process.argv.slice(2);
  const lines = fs.readFileSync(dataPath, 'utf8').split(/\r?\n/).filter((l) => l.length > 0);
  const header = lines[0].split(',');
  const keep = header.map((name, i) => [name, i]).filter(([name]) => name !== drop).map(([, i]) => i);
  const rows = lines.length - 1;
  const data = new Float32Array(rows * keep.length);
  for (let r = 0; r < rows; ++r) {
    const fields = lines[r + 1].split(',');
    keep.forEach((column, c) => { data[r * keep.length + c] = Number(fields[column]); });
  }
  const session = await ort.InferenceSession.create(modelPath);
  const input = new ort.Tensor('float32', data, [rows, keep.length]);
  const results = await session.run({ [session.inputNames[0]]: input });
  const out = results[session.outputNames[0]];
  const cols = out.dims[1];
  let text = `${session.inputNames[0]}->${session.outputNames[0]} [${out.dims.join(', ')}]\n`;
  for (let r = 0; r < rows; ++r) {
    const row = [];
    for (let c = 0; c < cols; ++c) row.push(Number(out.data[r * cols + c]).toPrecision(9));
    text += row.join(',') + '\n';
  }
  process.stdout.write(text);
}

main().catch((e) => { console.error(`ort_run: ${e.message}`); process.exit(1); });
