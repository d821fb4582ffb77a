/**
 * @file The SGEMM conformance shapes, shared by test/backend/wasm.test.ts (the build this runtime gets) and
 * test/helpers/gemm-fma-check.ts (each build in a fresh process).
 */

/** [batch, m, k, n]: odd sizes, edge tiles, K blocking, skinny outputs and long-K dot products. */
export const GEMM_SIZES: readonly (readonly [number, number, number, number])[] = [
  [1, 1, 1, 70],
  [1, 67, 129, 33],
  [2, 5, 300, 9],
  [3, 64, 64, 64],
  [1, 130, 257, 70],
  [4, 17, 3, 260],
  [1, 300, 270, 301],
  // K in three equal blocks (and k % 4 tails in the transposed-B packing); with Bᵀ, Note [Dot products]
  [1, 9, 785, 19],
  [2, 8, 520, 16],
  // skinny outputs, computed as Cᵀ = Bᵀ·Aᵀ (Note [Skinny products])
  [3, 128, 64, 10],
  [2, 8, 100, 9],
  [1, 5, 300, 9],
];
