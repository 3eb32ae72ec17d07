export function App() {
  return <main><h1>roomlink</h1></main>;
}
