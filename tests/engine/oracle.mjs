#!/usr/bin/env node
// Test-only oracle driver around @cloud-copilot/iam-simulate (AGPL; used as an external process, never copied).
// Reads a JSON array of simulations (iam-simulate input shape) on stdin and prints one JSON line per case:
//   {"decision": "Allowed" | "ImplicitlyDenied" | "ExplicitlyDenied" | "error:<message>", "ignored": [...]}
// With --bench ROUNDS it instead times runUnsafeSimulation over the whole corpus (after one warm-up round)
// and prints {"perDecisionUs": [...one median-per-case list...], "rounds": N}.
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'

const root = process.env.IAMSIM_DIR || process.cwd()
const entry = path.join(root, 'node_modules/@cloud-copilot/iam-simulate/dist/esm/index.js')
const { runSimulation, runUnsafeSimulation } = await import(pathToFileURL(entry).href)
const policyEntry = path.join(root, 'node_modules/@cloud-copilot/iam-policy/dist/esm/index.js')
const { createValidatedPolicy, validateResourcePolicy } = await import(pathToFileURL(policyEntry).href)

const cases = JSON.parse(readFileSync(0, 'utf8'))
const benchIdx = process.argv.indexOf('--bench')

if (benchIdx !== -1) {
  const rounds = parseInt(process.argv[benchIdx + 1] ?? '5', 10)
  // runUnsafeSimulation loads the resource policy without a name and then reads it; hand it one through
  // iam-policy's public createValidatedPolicy (done once, outside the timed loop)
  for (const c of cases) {
    if (c.resourcePolicy) {
      c.resourcePolicy = createValidatedPolicy(c.resourcePolicy, validateResourcePolicy, { name: 'ResourcePolicy' })
    }
  }
  for (const c of cases) runUnsafeSimulation(c, {}) // warm-up
  const samples = []
  for (let r = 0; r < rounds; r++) {
    const t0 = process.hrtime.bigint()
    for (const c of cases) runUnsafeSimulation(c, {})
    const us = Number(process.hrtime.bigint() - t0) / 1e3
    samples.push(us / cases.length)
  }
  console.log(JSON.stringify({ perDecisionUs: samples, rounds, cases: cases.length }))
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
