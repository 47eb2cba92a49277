#!/usr/bin/env node
// Test-only oracle driver around @cloud-copilot/iam-simulate (AGPL; used as an external process, never copied).
// Reads a JSON array of simulations (iam-simulate input shape) on stdin and prints one JSON line per case:
//   {"decision": "Allowed" | "ImplicitlyDenied" | "ExplicitlyDenied" | "error:<message>", "ignored": [...]}
// With --bench ROUNDS it instead times runUnsafeSimulation over the whole array ROUNDS times after one
// warm-up round and prints {"perDecisionUs": [one mean per round], "rounds": N}. With --bench-serve it
// reads one batch per line (warm-up first) and answers each timed batch with its mean (benchmarks/engine.py).
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'

const root = process.env.IAMSIM_DIR || process.cwd()
const entry = path.join(root, 'node_modules/@cloud-copilot/iam-simulate/dist/esm/index.js')
const { runSimulation, runUnsafeSimulation } = await import(pathToFileURL(entry).href)
const policyEntry = path.join(root, 'node_modules/@cloud-copilot/iam-policy/dist/esm/index.js')
const { createValidatedPolicy, validateResourcePolicy } = await import(pathToFileURL(policyEntry).href)

// runUnsafeSimulation loads the resource policy without a name and then reads it; hand it one through
// iam-policy's public createValidatedPolicy (done before any timing)
const named = new WeakSet()
function nameResourcePolicies(batch) {
  for (const c of batch) {
    if (c.resourcePolicy && !named.has(c)) {
      c.resourcePolicy = createValidatedPolicy(c.resourcePolicy, validateResourcePolicy, { name: 'ResourcePolicy' })
      named.add(c)
    }
  }
  return batch
}

function timeBatch(batch) {
  const t0 = process.hrtime.bigint()
  for (const c of batch) runUnsafeSimulation(c, {})
  return Number(process.hrtime.bigint() - t0) / 1e3 / batch.length
}

if (process.argv.includes('--bench-serve')) {
  // one JSON array of simulations per input line: the first is run untimed (warm-up), each later one is
  // timed once and answered with a line {"perDecisionUs": x}, so a caller can interleave its own rounds
  const { createInterface } = await import('node:readline')
  let first = true
  for await (const line of createInterface({ input: process.stdin })) {
    if (!line.trim()) continue
    const batch = nameResourcePolicies(JSON.parse(line))
    if (first) {
      for (const c of batch) runUnsafeSimulation(c, {})
      first = false
      console.log(JSON.stringify({ warmed: batch.length }))
    } else {
      console.log(JSON.stringify({ perDecisionUs: timeBatch(batch) }))
    }
  }
  process.exit(0)
}

const cases = JSON.parse(readFileSync(0, 'utf8'))
const benchIdx = process.argv.indexOf('--bench')

if (benchIdx !== -1) {
  // input: an array, warmed on and then timed ROUNDS times
  const rounds = parseInt(process.argv[benchIdx + 1] ?? '5', 10)
  nameResourcePolicies(cases)
  for (const c of cases) runUnsafeSimulation(c, {}) // warm-up
  const samples = []
  for (let r = 0; r < rounds; r++) samples.push(timeBatch(cases))
  console.log(JSON.stringify({ perDecisionUs: samples, rounds }))
} else {
  const out = []
  for (const c of cases) {
    try {
      const res = await runSimulation(c, {})
      if (res.resultType === 'error') out.push({ decision: `error:${res.errors?.message}` })
      else out.push({ decision: res.overallResult, ignored: res.result?.ignoredContextKeys ?? [] })
    } catch (e) {
      out.push({ decision: `exception:${e.message}` })
    }
  }
  process.stdout.write(out.map((o) => JSON.stringify(o)).join('\n') + '\n')
}
