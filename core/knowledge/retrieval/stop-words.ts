/**
 * Words that say what kind of question it is, or glue (English and Indonesian): never what a
 * passage or a sentence is chosen for.
 */
export const STOP_WORDS: ReadonlySet<string> = new Set(
  `a an the and or of to in on for with by from at as is are was were be been being am do does did
   what which who whom whose when where why how can could would should may might must shall will
   i me my we our you your it its this that these those there here about into over under than then
   so not no yes if any some all each please tell explain describe define meaning mean means
   apa apakah siapa kapan mengapa kenapa bagaimana berapa mana manakah dimana yang dan di ke dari
   untuk dengan pada dalam atau ini itu adalah ialah merupakan yaitu oleh secara tidak akan juga
   bagi sebuah suatu para lebih antara tentang melalui serta saya kami kita anda dimaksud maksud
   arti jelaskan sebutkan tolong`.split(/\s+/),
);
