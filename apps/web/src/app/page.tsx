export default function Home() {
  return (
    <main>
      <h1>Pictograph</h1>
    </main>
  );
}
