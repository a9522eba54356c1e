// IDs and Docker-style generated names.
import crypto from 'node:crypto'

export const newId = () => crypto.randomBytes(32).toString('hex')

const ADJ = ['admiring', 'bold', 'brave', 'calm', 'clever', 'cool', 'dazzling', 'eager', 'elated', 'epic', 'focused', 'gallant', 'gifted', 'happy', 'hopeful', 'jolly', 'keen', 'kind', 'lucid', 'modest', 'nifty', 'nimble', 'peaceful', 'quirky', 'relaxed', 'serene', 'sharp', 'stoic', 'tender', 'trusting', 'vibrant', 'wizardly', 'zealous']
const NOUN = ['babbage', 'bell', 'booth', 'curie', 'darwin', 'dijkstra', 'einstein', 'euler', 'fermat', 'feynman', 'galois', 'gauss', 'hopper', 'hypatia', 'kepler', 'knuth', 'lamport', 'lovelace', 'mccarthy', 'meitner', 'noether', 'pike', 'ritchie', 'shannon', 'thompson', 'torvalds', 'turing', 'wozniak']

const pick = <T>(a: T[]) => a[crypto.randomInt(a.length)]

export function generateName(taken: Set<string>): string {
  for (let i = 0; ; i++) {
    const n = `${pick(ADJ)}_${pick(NOUN)}${i > 20 ? crypto.randomInt(100) : ''}`
    if (!taken.has(n)) return n
  }
}

export const NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/
