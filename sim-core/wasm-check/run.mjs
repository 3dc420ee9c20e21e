// Prints the reference digest computed by the wasm module given as argument.
import { readFileSync } from 'node:fs';
const bytes = readFileSync(process.argv[2]);
const { instance } = await WebAssembly.instantiate(bytes, {});
console.log(BigInt.asUintN(64, instance.exports.reference_digest()).toString(16).padStart(16, '0'));
