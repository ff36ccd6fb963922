/**
 * The oldest `@types/node` the package's type declarations compile against (strict, skipLibCheck
 * off, the repository's TypeScript), as the README names it; pack.test.ts checks it. Found by
 * trying the 20.x releases: up to 20.16.9 `Buffer` is not generic (the declarations use
 * `Buffer<ArrayBuffer>`), and those releases fail TypeScript 5.7+ on their own.
 */
export const OLDEST_TYPES_NODE = '20.16.10';
